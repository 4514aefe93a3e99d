// The CLI's error family and exit codes. A UserError is the user's to fix (exit 1, one clear
// line, no stack); anything else that escapes a command is our bug (exit 2). A workflow that ran
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

export const ExitCode = { ok: 0, user: 1, internal: 2, runFailed: 3 } as const;

export const EXIT_CODES_HELP = [
  'Exit codes: 0 ok; 1 the input or the command line is wrong; 2 internal failure (please report it);',
  '            3 the workflow ran and failed (simulate, run --local, start --wait).',
].join('\n');
