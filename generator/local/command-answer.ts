// The answer of a job's Task when its local command ran in `run --local`: the kind's simulated
// answer with the command's result where the service would put it (kinds/: `local.result`, a
// Lambda's `Payload`), `--output` values over it, and every output path checked to point to a value
// (outputs.ts), a missing one failing the job as Step Functions fails the Task (States.Runtime).
import type { Job } from '../model.ts';
import type { KindModule } from '../kinds/kind.ts';
import { commandOutputs, type OutputValues } from './outputs.ts';
import { shown, terminalError, type ReadResult } from './result-file.ts';

/** What a local command handed back: the file it was offered (STEPGRAPH_RESULT) and what it wrote there. */
export interface CommandResult {
  file: string;
  result: ReadResult;
  /** A for_each item's element index. */
  index?: number;
}

type WorkService = Extract<KindModule['local'], { mode: 'work' }>;

export function commandAnswer(job: Job, service: WorkService, ran: CommandResult, values: OutputValues | undefined): unknown {
  const answer = service.output(job.kind, job.name);
  const placed = ran.result ? service.result(ran.result.value, answer) : answer;
  const which = ran.index === undefined ? `job '${job.name}'` : `job '${job.name}' (item ${ran.index})`;
  const source = ran.result ? `its command's result, read from ${shown(ran.file)}` : `its command's result: the command wrote no result file (${shown(ran.file)}, named by STEPGRAPH_RESULT)`;
  return commandOutputs(job, placed, values, (problem) => terminalError('States.Runtime', `${which}: ${problem} in ${source}`));
}
