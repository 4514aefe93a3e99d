// `stepgraph <command> ...`: finds the command in the table (commands.ts), loads only that one,
// and maps failures to exit codes (errors.ts): 0 ok, 1 the input or the command line is wrong,
// 2 an internal failure (with a stack for a bug report), 3 the workflow ran and failed.
import { closest } from '../contract/suggest.ts';
import { COMMANDS, commandNames, type CommandModule } from './commands.ts';
import { ExitCode, EXIT_CODES_HELP, fileSystemProblem, ReportedError, UserError } from '../errors.ts';
import { VERSION } from './version.ts';

function overview(): string {
  const lines = ['stepgraph: compile YAML job graphs and sweeps into AWS Step Functions state machines', '', 'Commands:'];
  for (const [name, entry] of COMMANDS) lines.push(`  ${name.padEnd(10)} ${entry.summary}`);
  lines.push('', "Run 'stepgraph help <command>' (or 'stepgraph <command> --help') for a command's options.", '', EXIT_CODES_HELP);
  return lines.join('\n');
}

const commandHelp = (name: string, command: CommandModule): string => `${COMMANDS.get(name)!.summary}\n\nUsage: ${command.usage}\n\n${EXIT_CODES_HELP}`;

function unknownCommand(name: string): string {
  const near = closest(name, commandNames());
  return `stepgraph: unknown command '${name}'.${near ? ` Did you mean '${near}'?` : ''} Commands: ${commandNames().join(', ')} ('stepgraph --help' says what each does)`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === '--version' || name === '-V' || name === 'version') {
    console.log(VERSION);
    return ExitCode.ok;
  }
  if (!name || name === '--help' || name === '-h') {
    (name ? console.log : console.error)(overview());
    return name ? ExitCode.ok : ExitCode.user;
  }
  if (name === 'help') return help(args[0]);
  const entry = COMMANDS.get(name);
  if (!entry) {
    console.error(unknownCommand(name));
    return ExitCode.user;
  }
  const command = await entry.load();
  if (args.includes('--help') || args.includes('-h')) {
    console.log(commandHelp(name, command));
    return ExitCode.ok;
  }
  try {
    return (await command.run(args)) ?? ExitCode.ok;
  } catch (error) {
    if (error instanceof ReportedError) return ExitCode.user;
    if (error instanceof UserError || isArgError(error)) {
      console.error(`stepgraph ${name}: ${isArgError(error) ? argErrorText(error as Error, command.usage) : (error as Error).message}`);
      return ExitCode.user;
    }
    const pathProblem = fileSystemProblem(error);
    if (pathProblem) {
      console.error(`stepgraph ${name}: ${pathProblem}`);
      return ExitCode.user;
    }
    console.error(`stepgraph ${name}: internal error, please report it with the input that caused it`);
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return ExitCode.internal;
  }
}

async function help(name: string | undefined): Promise<number> {
  if (name === undefined) {
    console.log(overview());
    return ExitCode.ok;
  }
  const entry = COMMANDS.get(name);
  if (!entry) {
    console.error(unknownCommand(name));
    return ExitCode.user;
  }
  console.log(commandHelp(name, await entry.load()));
  return ExitCode.ok;
}

/** node:util parseArgs reports unknown or malformed options with these codes. */
const isArgError = (error: unknown): boolean =>
  error instanceof Error && String((error as { code?: unknown }).code ?? '').startsWith('ERR_PARSE_ARGS');

/**
 * parseArgs' message, shortened, and for an unknown option the closest one the command's usage
 * names ("unknown option '--jsn'; did you mean '--json'?").
 */
export function argErrorText(error: Error, usage: string): string {
  const given = /'(--?[^'\s=]+)/.exec(error.message)?.[1];
  if ((error as { code?: unknown }).code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || !given) return error.message;
  const known = new Set(usage.match(/--[a-z][a-z0-9-]*/g) ?? []);
  const near = closest(given, known);
  return `unknown option '${given}'; ${near ? `did you mean '${near}'?` : `its options: ${[...known].sort().join(' ')}`}`;
}
