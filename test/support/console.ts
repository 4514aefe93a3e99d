// Captures what a command prints, for tests that run the CLI's `main` in-process. The arrays are
// emptied before each test and the spies removed after it.
import { afterEach, beforeEach, vi } from 'vitest';

export interface Captured {
  /** console.log lines. */
  out: string[];
  /** console.error lines. */
  err: string[];
  /** Raw process.stdout writes. */
  stdout: string[];
}

export function captureConsole(): Captured {
  const captured: Captured = { out: [], err: [], stdout: [] };
  beforeEach(() => {
    captured.out.length = 0;
    captured.err.length = 0;
    captured.stdout.length = 0;
    vi.spyOn(console, 'log').mockImplementation((...args) => void captured.out.push(args.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...args) => void captured.err.push(args.join(' ')));
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (captured.stdout.push(String(chunk)), true));
  });
  afterEach(() => vi.restoreAllMocks());
  return captured;
}
