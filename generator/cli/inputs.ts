// Resolving the files and folders a command was given, with a clear error for missing ones. A
// workflow's or sweep's name stands for its file in the workflows folder (`stepgraph validate
// player-analytics`), as it does for simulate, run and the operations commands.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { WORKFLOW_NAME } from '../check/values.ts';
import { didYouMean } from '../contract/suggest.ts';
import { expandPaths, WORKFLOW_EXTENSIONS } from '../compile.ts';
import { DEFAULT_WORKFLOWS_DIR } from '../ops/workflows.ts';
import { UserError } from '../errors.ts';

export function requirePaths(paths: readonly string[], what = 'workflow files, folders or names', dir = DEFAULT_WORKFLOWS_DIR): string[] {
  if (paths.length === 0) throw new UserError(`give one or more ${what}, e.g. 'workflows/'`);
  return paths.map((path) => (existsSync(path) ? path : fileOfName(path, dir)));
}

/** `<dir>/<name>.yaml` (.yml, .json), or the same in `<dir>/sweeps/`; else a clear error. */
function fileOfName(name: string, dir: string): string {
  if (WORKFLOW_NAME.test(name)) {
    for (const folder of [dir, join(dir, 'sweeps')]) {
      for (const ext of WORKFLOW_EXTENSIONS) {
        const file = join(folder, `${name}${ext}`);
        if (existsSync(file)) return file;
      }
    }
  }
  const known = existsSync(dir) ? expandPaths([dir]).map((f) => f.slice(f.lastIndexOf('/') + 1).replace(/\.(ya?ml|json)$/, '')) : [];
  const hint = WORKFLOW_NAME.test(name) ? didYouMean(name, known) : undefined;
  throw new UserError(`'${name}' does not exist${WORKFLOW_NAME.test(name) ? ` (neither as a file nor as a workflow or sweep in ${dir}/)` : ''}${hint ? `; ${hint}` : ''}`);
}
