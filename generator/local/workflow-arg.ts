// The --durations file of simulate: `job: 45m` per line, checked against the workflow's jobs.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { UserError } from '../errors.ts';
import type { Workflow } from '../model.ts';
import { parseDurations } from './durations.ts';

export function readDurations(file: string | undefined, workflow: Workflow): Map<string, number> | undefined {
  if (file === undefined) return undefined;
  if (!existsSync(file) || !statSync(file).isFile()) throw new UserError(`--durations ${file}: no such file`);
  return parseDurations(file, readFileSync(file, 'utf8'), workflow);
}
