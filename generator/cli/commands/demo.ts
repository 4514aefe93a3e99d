// `stepgraph demo` (what `npm start` runs): the main job on the embedded default. Validates and
// compiles every workflow and sweep in workflows/ into build/, then simulates the flagship example and
// prints its report. Nothing here needs AWS.
import { parseArgs } from 'node:util';
import { compilePaths } from '../../compile.ts';
import { hasErrors } from '../../diagnostics.ts';
import { formatReport } from '../../local/report.ts';
import { simulate } from '../../local/simulate.ts';
import { DEFAULT_WORKFLOWS_DIR } from '../../ops/workflows.ts';
import { ExitCode, UserError } from '../../errors.ts';
import { writeCompileResult } from '../files.ts';
import { requirePaths } from '../inputs.ts';
import { plural, printDiagnostics } from '../../terminal/report.ts';

export const FLAGSHIP = 'player-analytics';

export const usage = 'stepgraph demo [--workflows DIR] [--out DIR] [--date YYYY-MM-DD]';

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      workflows: { type: 'string', default: DEFAULT_WORKFLOWS_DIR },
      out: { type: 'string', default: 'build' },
      date: { type: 'string' },
    },
  });
  const result = compilePaths(requirePaths([values.workflows]));
  printDiagnostics(result.diagnostics, result.lineMaps, false);
  console.log(`compiled ${plural(result.compiled.length, 'workflow')} and ${plural(result.sweeps.length, 'sweep')} from ${values.workflows}/ into ${values.out}/:`);
  for (const { file, written } of writeCompileResult(values.out, result)) console.log(`  ${file} -> ${written.join(', ')}`);
  const flagship = result.compiled.find((c) => c.workflow.name === FLAGSHIP);
  if (!flagship) throw new UserError(`the flagship workflow '${FLAGSHIP}' is not among the compiled workflows of ${values.workflows}/`);
  console.log('');
  const report = await simulate(flagship, { date: values.date });
  console.log(formatReport(report));
  if (hasErrors(result.diagnostics)) return ExitCode.user;
  return report.status === 'SUCCEEDED' ? ExitCode.ok : ExitCode.runFailed;
}
