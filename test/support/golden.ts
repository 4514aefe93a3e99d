// Golden files: compare against the checked-in expectation; with UPDATE_GOLDEN=1 write it
// instead (a reviewed diff, not a reflex).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';

const updating = process.env.UPDATE_GOLDEN === '1';

export function expectGolden(path: string, actual: string): void {
  if (updating || !existsSync(path)) {
    if (!updating) throw new Error(`missing golden file ${path}; run with UPDATE_GOLDEN=1 to create it`);
    writeFileSync(path, actual);
    return;
  }
  expect(actual).toBe(readFileSync(path, 'utf8'));
}
