// `stepgraph <command> ...`: finds the command's module in commands/ and maps failures to exit
// codes: 0 ok, 1 the user's input was wrong, 2 an internal failure (with a stack for a bug report).
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExitCode, fileSystemProblem, ReportedError, UserError } from './errors.ts';

export interface Command {
  summary: string;
  usage: string;
  run(args: string[]): Promise<number | void>;
}

const commandsDir = join(dirname(fileURLToPath(import.meta.url)), 'commands');

function commandNames(): string[] {
  return readdirSync(commandsDir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

async function load(name: string): Promise<Command | undefined> {
  if (!commandNames().includes(name)) return undefined;
  return (await import(`./commands/${name}.ts`)) as Command;
}

async function help(): Promise<string> {
  const lines = ['stepgraph: compile YAML job graphs and sweeps into AWS Step Functions state machines', '', 'Commands:'];
  for (const name of commandNames()) {
    const command = await load(name);
    if (command) lines.push(`  ${name.padEnd(10)} ${command.summary}`);
  }
  lines.push('', "Run 'stepgraph <command> --help' for a command's options.");
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(await help());
    return name ? ExitCode.ok : ExitCode.user;
  }
  const command = await load(name);
  if (!command) {
    console.error(`stepgraph: unknown command '${name}'. Commands: ${commandNames().join(', ')}`);
    return ExitCode.user;
  }
  if (args.includes('--help') || args.includes('-h')) {
    console.log(`${command.summary}\n\nUsage: ${command.usage}`);
    return ExitCode.ok;
  }
  try {
    return (await command.run(args)) ?? ExitCode.ok;
  } catch (error) {
    if (error instanceof ReportedError) return ExitCode.user;
    if (error instanceof UserError || isArgError(error)) {
      console.error(`stepgraph ${name}: ${(error as Error).message}`);
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

/** node:util parseArgs reports unknown or malformed options with these codes. */
const isArgError = (error: unknown): boolean =>
  error instanceof Error && String((error as { code?: unknown }).code ?? '').startsWith('ERR_PARSE_ARGS');
