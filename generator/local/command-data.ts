// What a job's local command reads of the data passed between jobs, taken from the state its Task
// runs on, exactly where the Task's Parameters read it (kinds/data-templates.ts: dataPath):
// `{inputs.<job>.<name>}` from `$.outputs`, and in a for_each job's item `{item}` and `{index}`
// from `$.item` and `$.index`. Values are text for the command's templates (a string as it is,
// anything else as JSON), which command.ts pastes in as one shell word each: data, never code.
import type { Job } from '../model.ts';

export interface CommandData {
  /** `{name}` -> text: `inputs.<job>.<name>`, `item`, `index`. */
  values: Record<string, string>;
  /** STEPGRAPH_ITEM and STEPGRAPH_INDEX in a for_each item. */
  env: Record<string, string>;
  /** The element's index in a for_each item. */
  index?: number;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function commandData(job: Job, state: unknown): CommandData {
  const values: Record<string, string> = Object.create(null);
  const env: Record<string, string> = Object.create(null);
  const s = isRecord(state) ? state : {};
  const outputs = Object.hasOwn(s, 'outputs') && isRecord(s.outputs) ? s.outputs : {};
  for (const [source, named] of Object.entries(outputs)) {
    if (!isRecord(named)) continue;
    for (const [name, value] of Object.entries(named)) values[`inputs.${source}.${name}`] = text(value);
  }
  let index: number | undefined;
  if (job.forEach && Object.hasOwn(s, 'item') && Object.hasOwn(s, 'index')) {
    values.item = env.STEPGRAPH_ITEM = text(s.item);
    values.index = env.STEPGRAPH_INDEX = text(s.index);
    if (typeof s.index === 'number') index = s.index;
  }
  return { values, env, ...(index !== undefined && { index }) };
}
