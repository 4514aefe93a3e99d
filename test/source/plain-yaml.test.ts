// The plain-subset reader (generator/source-plain-yaml.ts) against the yaml library: whenever it
// reads a text, the library reads that text without an error or warning into the same nodes
// (kind, value, scalar type, flow flag and all three offsets of every range); everything else it
// leaves to the library. Checked on every shipped workflow and fixture, on seeded random
// documents written in and around the subset, and on seeded mutations of the examples.
// PLAIN_YAML_SEED=<n> replays a run.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prng } from '../../bench/graphs.ts';
import { bigWorkflow } from '../../bench/big-workflow.ts';
import { readPlainYaml } from '../../generator/source-plain-yaml.ts';
import { readSource } from '../../generator/source.ts';
import { mutate } from '../support/mutate.ts';
import { firstDifference, libraryRoot } from '../support/yaml-compare.ts';

const SEED = Number(process.env.PLAIN_YAML_SEED ?? Math.floor(Math.random() * 2 ** 31));

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : /\.(ya?ml|json)$/.test(entry) ? [path] : [];
  });
}

/** Fails with the text when the reader accepts what the library rejects, or reads it differently. */
function expectAgreement(text: string, context: string): 'read' | 'left' {
  const mine = readPlainYaml(text);
  if (mine === undefined) return 'left';
  const library = libraryRoot(text);
  expect(library, `read a text the library rejects (${context}):\n${JSON.stringify(text)}`).not.toBeUndefined();
  expect(firstDifference(mine, library!), `${context}:\n${JSON.stringify(text)}`).toBeUndefined();
  return 'read';
}

const SCALARS = [
  'x', 'etl-load', 'a b  c', 'null', 'Null', '~', 'true', 'False', 'TRUE', 'yes', '0', '-1', '+7', '012', '0o17', '0x1F', '1.5', '2.50', '1e3', '-.5', '.inf', '-.Inf', '.nan',
  '1_000', '2019-03-12', '05:30', 'http://x/y', 'a:b', 'a#b', 'a #b', '$.Payload.rows', '{date}', '"q"', "'it''s'", '"a \\"b\\" \\\\ \\n"', '"\\u0041"', "''", '""',
  '-x', '?x', ':x', '- x', '? x', '[a, b]', '[ ]', '{}', '{a: 1, b: [2, {c: d}]}', '{a: }', '[a, ]', '[a: b]', '{"k": "v"}', '{a:1}', '*a', '&a x', '!t x', '| x', '> x',
  'a: b', 'x:', '@x', '`x', '%x', 'x # comment', 'x#y', 'x  ', '[a,b]#c', '"x"y', "'x' # c",
];

/** A random document near the subset: nested mappings and lists, compact lists, comments, blank lines, odd indents. */
function randomDocument(rand: () => number): string {
  const pick = <T,>(list: readonly T[]): T => list[Math.floor(rand() * list.length)];
  const lines: string[] = [];
  const comment = (indent: number): void => {
    if (rand() < 0.1) lines.push(`${' '.repeat(indent)}# note`);
    if (rand() < 0.08) lines.push(rand() < 0.5 ? '' : '   ');
  };
  const key = (): string => pick(['name', 'jobs', 'a', 'b_c', 'needs', '"quoted key"', "'k'", '1', 'true', 'x y', 'lambda', '~']);
  const block = (indent: number, depth: number, asList: boolean): void => {
    const count = 1 + Math.floor(rand() * 4);
    for (let i = 0; i < count; i++) {
      comment(indent);
      const pad = ' '.repeat(indent + (rand() < 0.03 ? 1 : 0));
      const head = asList ? `${pad}-` : `${pad}${key()}:`;
      const roll = rand();
      if (depth < 4 && roll < 0.3) {
        lines.push(head + (rand() < 0.2 ? ' # c' : ''));
        const list = rand() < 0.4;
        // A list as a mapping's value may sit at the key's own indent.
        block(list && !asList && rand() < 0.4 ? indent : indent + 2, depth + 1, list);
      } else if (asList && depth < 4 && roll < 0.45) {
        lines.push(`${pad}- ${key()}: ${pick(SCALARS)}`);
        const more = Math.floor(rand() * 3);
        for (let k = 0; k < more; k++) lines.push(`${' '.repeat(indent + 2)}${key()}: ${pick(SCALARS)}`);
      } else if (roll < 0.55) {
        lines.push(head + pick(['', ' ', '  # empty']));
      } else {
        lines.push(`${head} ${pick(SCALARS)}${rand() < 0.15 ? '  # trailing' : ''}`);
      }
    }
  };
  if (rand() < 0.2) lines.push('# header');
  block(0, 0, false);
  return lines.join('\n') + pick(['\n', '', '\n\n', '\n# end\n']);
}

describe('the plain-subset YAML reader agrees with the yaml library', () => {
  it('on every shipped workflow, sweep and fixture, and reads the plain ones itself', () => {
    const files = [...filesUnder('workflows'), ...filesUnder('test/fixtures')];
    const read = files.filter((file) => expectAgreement(readFileSync(file, 'utf8'), file) === 'read');
    // The YAML workflows are in the subset: they do not fall back.
    expect(read).toContain(join('workflows', 'nightly-load.yaml'));
    expect(read.length).toBeGreaterThan(20);
  });

  it(`on seeded random documents in and around the subset (seed ${SEED})`, () => {
    const rand = prng(SEED);
    let read = 0;
    for (let run = 0; run < 3000; run++) if (expectAgreement(randomDocument(rand), `PLAIN_YAML_SEED=${SEED}, document ${run}`) === 'read') read++;
    // Both sides are exercised: many documents read here, many left to the library.
    expect(read).toBeGreaterThan(300);
    expect(read).toBeLessThan(3000);
  });

  it(`on seeded mutations of the examples (seed ${SEED})`, () => {
    const rand = prng(SEED + 1);
    const examples = filesUnder('workflows').filter((f) => f.endsWith('.yaml')).map((file) => ({ file, text: readFileSync(file, 'utf8') }));
    for (let run = 0; run < 1500; run++) {
      const example = examples[Math.floor(rand() * examples.length)];
      expectAgreement(mutate(example.text, rand), `PLAIN_YAML_SEED=${SEED}, mutation ${run} of ${example.file}`);
    }
  });

  it('reads the benchmark workflow (at 2,000 jobs) in the subset', () => {
    const text = bigWorkflow(2000);
    expect(expectAgreement(text, 'big workflow')).toBe('read');
  });

  it('leaves what it does not read to the library, which reports it as before', () => {
    const outside = ['a: &x 1\nb: *x\n', 'a: |\n  text\n', 'a: b\n  c\n', 'a:\tb\n', 'a: [1,\n  2]\n', '--- \na: 1\n', 'a: !!str 1\n', 'a: b\r\nc: d\r\n', '- a\n', 'a: "\\x41"\n'];
    for (const text of outside) expect(readPlainYaml(text), JSON.stringify(text)).toBeUndefined();
    // The same place and message for a syntax error either way: the library still reads it.
    const { diagnostics } = readSource('bad.yaml', 'name: x\njobs:\n  a:\n    lambda: f\n   needs: [b]\n');
    expect(diagnostics.map((d) => [d.code, d.start])).toEqual([['SG1001', expect.any(Number)]]);
  });
});
