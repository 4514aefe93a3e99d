// The CLI's error family. A UserError is the user's to fix (exit 1, one clear line, no stack);
// anything else that escapes a command is our bug (exit 2).

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

export const ExitCode = { ok: 0, user: 1, internal: 2 } as const;
