// Reads a job's `outputs:`: the values it hands downstream, each picked from its Task's result by a
// JSONPath, optionally with a declared largest size (what the compile-time payload check adds up).
import { Codes } from '../messages.ts';
import type { JobOutput } from '../model.ts';
import type { Entry, Reader } from './reader.ts';
import type { Problem } from './values.ts';
import { report } from './values.ts';

const OUTPUT_NAME = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

/**
 * A reference path as Step Functions reads one in a ResultSelector: `$`, then `.name`, `[0]` or
 * `['any name']` steps. Nothing else (no filters, wildcards or scripts): a path picks one value, and
 * no part of it can become anything but a path.
 */
const STEP = /^(?:\.[A-Za-z_][A-Za-z0-9_-]*|\[(?:0|[1-9][0-9]{0,8})\]|\['[^'\\\]]+'\])/;

export function outputPathProblem(path: string): Problem | undefined {
  const example = '$.Payload.partitions';
  if (!path.startsWith('$')) return { message: `output path '${path}' is not a JSONPath: it must start with '$' (the job's result)`, hint: `e.g. '${example}'` };
  let rest = path.slice(1);
  while (rest !== '') {
    const m = STEP.exec(rest);
    if (!m) {
      return {
        message: `output path '${path}' is not a JSONPath Step Functions can read: '${rest}' is not a step`,
        hint: `write steps as .name, [0] or ['a name'] (no filters, wildcards or functions), e.g. '${example}'`,
      };
    }
    rest = rest.slice(m[0].length);
  }
  return undefined;
}

function outputNameProblem(name: string): Problem | undefined {
  if (OUTPUT_NAME.test(name)) return undefined;
  const suggestion = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[^a-z]+|_+$/g, '');
  return {
    message: `output name '${name}' is not snake_case`,
    hint: `use lower-case letters, digits and single '_' between them, starting with a letter${suggestion ? `, e.g. '${suggestion}'` : ''}`,
  };
}

const SIZE = /^(\d+(?:\.\d+)?)\s*(B|KB|KiB|MB|MiB)$/;
const UNIT: Record<string, number> = { B: 1, KB: 1024, KiB: 1024, MB: 1024 * 1024, MiB: 1024 * 1024 };

/** `512B`, `4KB`, `1MiB` -> bytes (KB and KiB are both 1,024 bytes, as Step Functions counts its 256 KiB). */
export function parseSize(text: string): number | undefined {
  const m = SIZE.exec(text.trim());
  if (!m) return undefined;
  const bytes = Math.ceil(Number(m[1]) * UNIT[m[2]]);
  return bytes > 0 ? bytes : undefined;
}

/** The job's outputs in source order; a bad one is reported and left out. */
export function readOutputs(r: Reader, entry: Entry | undefined, where: string): JobOutput[] {
  if (!entry) return [];
  const map = r.map(entry);
  if (!map) return [];
  const out: JobOutput[] = [];
  const first = new Map<string, Entry>();
  for (const item of r.entries(map)) {
    if (!report(r, item.keySpan, Codes.badOutputName, outputNameProblem(item.key))) continue;
    const seen = first.get(item.key);
    if (seen) {
      r.error(item.keySpan, Codes.duplicateOutput, `output '${item.key}' of ${where} is given twice`, 'keep one of them', { message: 'first given', file: r.file, offset: seen.keySpan.start });
      continue;
    }
    first.set(item.key, item);
    const output = readOne(r, item, where);
    if (output) out.push(output);
  }
  return out;
}

function readOne(r: Reader, item: Entry, where: string): JobOutput | undefined {
  const shorthand = r.scalar(item.value);
  const fields = typeof shorthand === 'string' ? undefined : r.fields(item.value, `output '${item.key}' of ${where}`, ['path', 'max_size'], ['path']);
  if (typeof shorthand !== 'string' && !fields) {
    r.error(item.span, Codes.wrongType, `output '${item.key}' of ${where} must be a JSONPath or a mapping with 'path'`, `e.g. ${item.key}: $.Payload.${item.key}`);
    return undefined;
  }
  const pathEntry = fields ? fields.get('path') : item;
  const path = fields ? r.string(pathEntry) : (shorthand as string);
  if (path === undefined || !pathEntry || !report(r, pathEntry.span, Codes.badOutputPath, outputPathProblem(path))) return undefined;
  const sizeEntry = fields?.get('max_size');
  if (!sizeEntry) return { name: item.key, path };
  const text = r.scalar(sizeEntry.value);
  const maxBytes = typeof text === 'string' ? parseSize(text) : undefined;
  if (maxBytes === undefined) {
    r.error(sizeEntry.span, Codes.badOutputSize, `'max_size' of output '${item.key}' must be a size such as '512B', '4KB' or '1MB'`, "a number and a unit: B, KB (1,024 bytes), KiB, MB or MiB; the whole payload of a state may not pass 256KB");
    return undefined;
  }
  return { name: item.key, path, maxBytes };
}
