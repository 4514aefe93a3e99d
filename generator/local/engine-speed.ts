// Faster equivalents of two of the engine's per-state helpers, installed by engine.ts as the
// engine loads. A 10,000-item sweep runs some 100,000 states, and each state reads several
// paths and copies its input: with the library's general JSONPath evaluator (which parses and
// walks each path as a query) and an entries-based deep copy, those two were most of a
// simulation. Both give exactly what they replace (test/local/engine-speed.test.ts compares
// them on generated inputs).

type JsonPathOptions = { path: string; json: unknown; wrap: false };
type JsonPathLibrary = (options: JsonPathOptions) => unknown;

/** `$`, then `.name` or `[index]` steps only: what a definition's paths nearly always are. */
const SIMPLE = /^\$(?:\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])+$/;
const STEP = /\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]/g;
const steps = new Map<string, string[] | null>();

function simpleSteps(path: string): string[] | null {
  let known = steps.get(path);
  if (known === undefined) {
    known = SIMPLE.test(path) ? [...path.slice(1).matchAll(STEP)].map((m) => m[1] ?? m[2]) : null;
    steps.set(path, known);
  }
  return known;
}

/**
 * JSONPath with `wrap: false`, as jsonpath-plus answers it: a simple path follows own
 * properties (a falsy value has none, so the answer is undefined past it, and a falsy document
 * answers undefined); anything else goes to the library.
 */
export function jsonPath(library: JsonPathLibrary, options: JsonPathOptions): unknown {
  const path = simpleSteps(options.path);
  if (path === null) return library(options);
  let value = options.json;
  if (!value) return undefined;
  for (const key of path) {
    if (!value || !Object.hasOwn(value as object, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** A deep copy of JSON data, as the engine's cloneJSON makes it (own enumerable keys, in order). */
export function cloneJson<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = cloneJson(value[i]);
    return out as T;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = cloneJson((value as Record<string, unknown>)[key]);
    // `__proto__` from JSON is an own key: define it as one, as Object.fromEntries does.
    if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
    else out[key] = v;
  }
  return out as T;
}
