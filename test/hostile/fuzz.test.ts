// Issue 12: a seeded, bounded fuzz test. A few hundred mutations of the shipped examples (and of
// hostile tokens spliced into them) go through the whole compiler and the diagnostic printer:
// nothing may throw (the CLI's exit 2), every diagnostic must have a real place in its file and
// a stable code, and every run ends (the suite's timeout bounds it). The seed is printed on
// failure; FUZZ_SEED=<n> replays a run, FUZZ_RUNS=<n> makes it longer.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileTexts } from '../../generator/compile.ts';
import { formatDiagnostic, toJson } from '../../generator/diagnostics.ts';
import { prng } from '../../bench/graphs.ts';
import { mutate } from '../support/mutate.ts';

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RUNS = Number(process.env.FUZZ_RUNS ?? 200);

const examples = [
  ...readdirSync('workflows').filter((f) => /\.ya?ml$/.test(f)).map((f) => join('workflows', f)),
  ...readdirSync('workflows/sweeps').map((f) => join('workflows/sweeps', f)),
]
  .sort()
  .map((file) => ({ file, text: readFileSync(file, 'utf8') }));

describe(`fuzzing the examples (seed ${SEED}, ${RUNS} mutations)`, () => {
  it('never throws, and every diagnostic has a code and a real place', () => {
    const rand = prng(SEED);
    for (let run = 0; run < RUNS; run++) {
      const example = examples[Math.floor(rand() * examples.length)];
      const text = mutate(example.text, rand);
      const context = `FUZZ_SEED=${SEED}, mutation ${run} of ${example.file}:\n${JSON.stringify(text.slice(0, 2000))}`;
      let result: ReturnType<typeof compileTexts>;
      try {
        result = compileTexts([{ file: example.file, text }]);
      } catch (error) {
        throw new Error(`the compiler threw (the CLI would exit 2) on ${context}\n${(error as Error).stack}`);
      }
      for (const d of result.diagnostics) {
        expect(d.code, context).toMatch(/^SG\d{4}$/);
        expect(d.file, context).toBe(example.file);
        expect(d.start >= 0 && d.start <= d.end && d.end <= Math.max(text.length, 1), `${d.code} at ${d.start}-${d.end} of ${text.length}: ${context}`).toBe(true);
        expect(() => formatDiagnostic(d, result.lineMaps), context).not.toThrow();
        const json = toJson(d, result.lineMaps);
        expect(json.line >= 1 && json.column >= 1, context).toBe(true);
      }
    }
  });
});
