// The engine's faster helpers (generator/local/engine-speed.ts) give exactly what they replace:
// jsonpath-plus's answers for `wrap: false` queries, and the engine's own deep copy. Seeded
// generated documents and paths, falsy values and own-versus-inherited keys included.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { cloneJson, jsonPath } from '../../generator/local/engine-speed.ts';
import { jsonStringBytes, measureDefinition, utf8Bytes } from '../../generator/emit/limits.ts';

// The library the engine itself loads (a dependency of aws-local-stepfunctions).
const engineRequire = createRequire(createRequire(import.meta.url).resolve('aws-local-stepfunctions'));
const { JSONPath } = engineRequire('jsonpath-plus') as { JSONPath: (o: { path: string; json: unknown; wrap: false }) => unknown };

function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

const KEYS = ['a', 'b', 'item', 'length', 'constructor', 'toString', '__proto__', '0', '1'];
const LEAVES = [0, 1, '', 'x', 'abc', false, true, null, -1];

function document(rand: () => number, depth: number): unknown {
  if (depth === 0 || rand() < 0.25) return LEAVES[Math.floor(rand() * LEAVES.length)];
  if (rand() < 0.35) return Array.from({ length: Math.floor(rand() * 4) }, () => document(rand, depth - 1));
  const out: Record<string, unknown> = {};
  for (const key of KEYS) if (rand() < 0.4) Object.defineProperty(out, key, { value: document(rand, depth - 1), enumerable: true, writable: true, configurable: true });
  return out;
}

function path(rand: () => number): string {
  let p = '$';
  const steps = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < steps; i++) p += rand() < 0.3 ? `[${Math.floor(rand() * 3)}]` : `.${KEYS.filter((k) => /^[A-Za-z_]/.test(k))[Math.floor(rand() * 6)]}`;
  return p;
}

describe('jsonPath', () => {
  it('answers what jsonpath-plus answers, on 5,000 seeded documents and paths', () => {
    const rand = random(20261129);
    for (let n = 0; n < 5000; n++) {
      const json = document(rand, 4);
      const p = path(rand);
      expect(jsonPath(JSONPath, { path: p, json, wrap: false }), `${p} of ${JSON.stringify(json)}`).toStrictEqual(JSONPath({ path: p, json, wrap: false }));
    }
  });

  it('hands other paths to the library', () => {
    const json = { a: [{ b: 1 }, { b: 2 }], 'x.y': 3 };
    for (const p of ['$', '$.a[*].b', "$['x.y']", '$..b', '$.a[-1:]']) expect(jsonPath(JSONPath, { path: p, json, wrap: false })).toStrictEqual(JSONPath({ path: p, json, wrap: false }));
  });
});

/** Every object of `copy` is a plain object or array, none of them one of `original`'s. */
function plainAndFresh(copy: unknown, original: unknown): boolean {
  if (copy === null || typeof copy !== 'object') return true;
  if (copy === original) return false;
  const proto = Object.getPrototypeOf(copy);
  if (proto !== Object.prototype && proto !== Array.prototype) return false;
  return Object.keys(copy).every((k) => plainAndFresh((copy as Record<string, unknown>)[k], (original as Record<string, unknown>)[k]));
}

describe('cloneJson', () => {
  it('copies as the engine did (entries in order, own __proto__ kept as a key), sharing nothing', () => {
    const engineClone = (value: unknown): unknown =>
      value === null || typeof value !== 'object' ? value : Array.isArray(value) ? value.map(engineClone) : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, engineClone(v)]));
    const rand = random(7);
    for (let n = 0; n < 1000; n++) {
      const json = document(rand, 5);
      const copy = cloneJson(json);
      // (toStrictEqual reads `constructor`, which these documents may hold as an own key.)
      expect(JSON.stringify(copy)).toBe(JSON.stringify(engineClone(json)));
      expect(JSON.stringify(copy)).toBe(JSON.stringify(json));
      expect(plainAndFresh(copy, json)).toBe(true);
    }
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    const copy = cloneJson(hostile);
    expect(Object.keys(copy)).toEqual(['__proto__', 'a']);
    expect((copy as { polluted?: boolean }).polluted).toBeUndefined();
  });
});

describe('jsonStringBytes', () => {
  it('is the UTF-8 size of JSON.stringify(text): quotes, backslashes, controls, surrogates (paired and lone)', () => {
    const rand = random(42);
    const cases = ['', 'a"b\\c', '{"a":"b\\"c\\\\","d":[1,2]}', ' ~', '~\u007f', '\n\t\b\f\r\u0000\u001f', '😀', '\ud83d', '\ude00x', 'é€', 'x\ud83d\ude00\ud83d', '\u2028\u007f'];
    for (let n = 0; n < 5000; n++) cases.push(Array.from({ length: Math.floor(rand() * 12) }, () => String.fromCharCode(rand() < 0.5 ? Math.floor(rand() * 128) : Math.floor(rand() * 65536))).join(''));
    for (const text of cases) expect(jsonStringBytes(text), JSON.stringify(text)).toBe(utf8Bytes(JSON.stringify(text)));
  });

  it('is counted in the same pass as the definition bytes, which are its text\'s UTF-8 size', () => {
    const rand = random(7);
    for (let n = 0; n < 2000; n++) {
      const comment = Array.from({ length: Math.floor(rand() * 12) }, () => String.fromCharCode(rand() < 0.5 ? Math.floor(rand() * 128) : Math.floor(rand() * 65536))).join('');
      const definition = { Comment: comment, StartAt: 'a', States: { a: { Type: 'Succeed' } } };
      const text = JSON.stringify(definition);
      const measured = measureDefinition(definition);
      expect(measured.definitionBytes, text).toBe(utf8Bytes(text));
      expect(measured.requestBytes, text).toBe(utf8Bytes(JSON.stringify(text)) + 4096);
    }
  });
});
