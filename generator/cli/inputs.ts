// Resolving the files and folders a command was given, with a clear error for missing ones.
import { existsSync } from 'node:fs';
import { UserError } from './errors.ts';

export function requirePaths(paths: readonly string[], what = 'workflow files or folders'): string[] {
  if (paths.length === 0) throw new UserError(`give one or more ${what}, e.g. 'workflows/'`);
  for (const path of paths) if (!existsSync(path)) throw new UserError(`'${path}' does not exist`);
  return [...paths];
}
