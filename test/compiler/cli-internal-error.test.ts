// A failure inside a command that is not the user's doing exits 2 and asks for a bug report,
// with the stack for that report; the user's own mistakes never reach this path.
import { afterEach, beforeEach, expect, it, vi } from 'vitest';

vi.mock('../../generator/compile.ts', async (original) => ({
  ...(await original<typeof import('../../generator/compile.ts')>()),
  compilePaths: () => {
    throw new TypeError("Cannot read properties of undefined (reading 'jobs')");
  },
}));

const { main } = await import('../../generator/cli/main.ts');

let err: string[];
beforeEach(() => {
  err = [];
  vi.spyOn(console, 'error').mockImplementation((...args) => void err.push(args.join(' ')));
});
afterEach(() => vi.restoreAllMocks());

it('exits 2 and prints the stack for a report', async () => {
  expect(await main(['validate', 'workflows'])).toBe(2);
  expect(err[0]).toBe('stepgraph validate: internal error, please report it with the input that caused it');
  expect(err[1]).toMatch(/^TypeError: Cannot read properties of undefined \(reading 'jobs'\)\n\s+at /);
});
