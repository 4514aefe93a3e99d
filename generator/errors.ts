// The error family and exit codes, shared by the CLI and every module it runs (ops, local, sweeps):
// a neutral module, so none of them imports the CLI. A UserError is the user's to fix (exit 1, one
// clear line, no stack); anything else that escapes a command is our bug (exit 2). A workflow that ran
// (simulate, run --local, a waited-for start) and failed is neither: exit 3, so a CI script can
// tell "my workflow fails" from "my command line is wrong".

export class UserError extends Error {
  override name = 'UserError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Problems already printed (e.g. diagnostics): exit 1 without printing more. */
export class ReportedError extends Error {
  override name = 'ReportedError';
  constructor() {
    super('problems were reported');
  }
}

/** What the file system says, in words, for the errors a path the user gave can cause. */
const FILE_PROBLEMS: Record<string, string> = {
  EEXIST: 'a file is in the way (a folder is needed there)',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder, not a file',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or folder',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  ELOOP: 'too many symbolic links (a loop?)',
  ENAMETOOLONG: 'the name is too long',
};

/**
 * A file-system error about a path (a bad `--out`, `--markers`, an unreadable input) as one line
 * for the user: exit 1, no stack. Undefined for anything else, which stays an internal error.
 */
export function fileSystemProblem(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, syscall, path } = error as NodeJS.ErrnoException;
  if (code === undefined || !Object.hasOwn(FILE_PROBLEMS, code) || path === undefined) return undefined;
  const verb = syscall === 'mkdir' ? 'create the folder' : syscall === 'open' || syscall === 'write' || syscall === 'rename' ? 'write' : syscall === 'scandir' || syscall === 'read' ? 'read' : (syscall ?? 'use');
  return `cannot ${verb} '${path}': ${FILE_PROBLEMS[code]}`;
}
export const ExitCode = { ok: 0, user: 1, internal: 2, runFailed: 3 } as const;

export const EXIT_CODES_HELP = [
  'Exit codes: 0 ok; 1 the input or the command line is wrong; 2 internal failure (please report it);',
  '            3 the workflow ran and failed (simulate, run --local, start --wait).',
].join('\n');
