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

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RUNS = Number(process.env.FUZZ_RUNS ?? 200);

const examples = [
  ...readdirSync('workflows').filter((f) => /\.ya?ml$/.test(f)).map((f) => join('workflows', f)),
  ...readdirSync('workflows/sweeps').map((f) => join('workflows/sweeps', f)),
]
  .sort()
  .map((file) => ({ file, text: readFileSync(file, 'utf8') }));

/** Tokens that broke the compiler before, or that mean something to YAML, JSON, shells or JavaScript. */
const TOKENS = [
  '*a', '&a ', '<<: *a', '<<: 5', '__proto__: {command: x}', 'toString: 1', 'constructor:', 'valueOf', 'hasOwnProperty: {}',
  '\r', '\r\n', '\n', '\t', '\u2028', '🎉', 'ü', '\u0000', '"', "'", '\\', '{', '}', '[', ']', ': ', '- ', '#', '|', '>', '!!binary', '!tag',
  '${x}', '{x}', '{{', '$(touch x)', '; rm -rf /', 'STEPGRAPH_EOF', '../../', '/dev/null', '-1', '0', '1e309', '99999999999999999999',
  '2019-02-30', '0000-00-00', 'T24:00:00Z', 'null', '~', 'true', '[]', '{}', 'x'.repeat(300), '- *a\n- &a [1]', '? complex\n: key',
];

function mutate(text: string, rand: () => number): string {
  const pick = <T,>(list: readonly T[]): T => list[Math.floor(rand() * list.length)];
  const at = (): number => Math.floor(rand() * (text.length + 1));
  const lines = (): string[] => text.split('\n');
  const steps = 1 + Math.floor(rand() * 3);
  for (let s = 0; s < steps; s++) {
    switch (Math.floor(rand() * 7)) {
      case 0: {
        const i = at();
        text = text.slice(0, i) + pick(TOKENS) + text.slice(i);
        break;
      }
      case 1: {
        const i = at();
        text = text.slice(0, i) + text.slice(i + 1 + Math.floor(rand() * 20));
        break;
      }
      case 2: {
        const l = lines();
        const i = Math.floor(rand() * l.length);
        l.splice(i, 0, l[Math.floor(rand() * l.length)]);
        text = l.join('\n');
        break;
      }
      case 3: {
        const l = lines();
        l.splice(Math.floor(rand() * l.length), 1);
        text = l.join('\n');
        break;
      }
      case 4: {
        const l = lines();
        const i = Math.floor(rand() * l.length);
        l[i] = rand() < 0.5 ? `  ${l[i]}` : l[i].replace(/^ {1,2}/, '');
        text = l.join('\n');
        break;
      }
      case 5: {
        // Replace a scalar-looking word with a hostile token.
        const words = [...text.matchAll(/[A-Za-z0-9_.-]{2,}/g)];
        if (words.length === 0) break;
        const w = pick(words);
        text = text.slice(0, w.index) + pick(TOKENS) + text.slice(w.index! + w[0].length);
        break;
      }
      default: {
        const i = at();
        text = text.slice(0, i) + String.fromCharCode(Math.floor(rand() * 0x3000)) + text.slice(i);
      }
    }
  }
  return text;
}

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
