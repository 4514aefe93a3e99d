// The file through which a job's local command hands its result to `run --local`, as GitHub
// Actions' $GITHUB_OUTPUT or an Argo output parameter read from a file: STEPGRAPH_RESULT names a
// fresh path in the run's own folder, the command may write JSON there (stdout stays free for
// logs), and the result stands for what the service would return (kinds/: `local.result`).
//
// The file is written by code stepgraph does not control, so it is read as hostile input: never
// through a symbolic link (nothing outside the run folder is read), only a regular file, at most
// Step Functions' 256 KiB payload, UTF-8 only, JSON only, nested at most MAX_DEPTH deep (the engine
// copies values recursively), and no number JSON text would not carry exactly (1e400 becomes
// Infinity, 12345678901234567890 another integer). A problem fails the job as AWS fails a Task
// whose result it cannot use: States.DataLimitExceeded past the payload, States.Runtime otherwise,
// neither retried nor caught (Step Functions' States.ALL matches neither).
import { constants, type Stats } from 'node:fs';
import { lstat, mkdir, mkdtemp, open } from 'node:fs/promises';
import { join, relative, isAbsolute } from 'node:path';

/** Step Functions' payload limit: 256 KiB of UTF-8 (262,144 bytes). */
export const RESULT_LIMIT_BYTES = 256 * 1024;
/** Deepest nesting of arrays and objects a result may have. */
export const MAX_DEPTH = 1000;

/** What a command handed back: its JSON value, or nothing (no file, or an empty one). */
export type ReadResult = { value: unknown } | undefined;

/**
 * The result files of one local run: a folder created when the first command asks for one, under
 * `parent`, and a fresh name in it for every command run (a for_each item's and every retry's own).
 */
export class ResultFiles {
  private folder?: Promise<{ path: string; stats: Stats }>;
  private count = 0;

  constructor(
    private readonly parent: string,
    private readonly prefix: string,
  ) {}

  /** A fresh path for one command run of `job` (`index`: a for_each element). Nothing is created there. */
  async next(job: string, index?: number): Promise<string> {
    this.folder ??= (async () => {
      await mkdir(this.parent, { recursive: true });
      const path = await mkdtemp(join(this.parent, this.prefix));
      return { path, stats: await lstat(path) };
    })();
    const { path } = await this.folder;
    return join(path, `${job}${index === undefined ? '' : `.item-${index}`}.${++this.count}.json`);
  }

  /** Reads the result a command wrote at `file` (from `next`); throws a terminal States error naming the job (`index`: its item), the file and the problem. */
  async read(job: string, file: string, index?: number): Promise<ReadResult> {
    const who = index === undefined ? `job '${job}'` : `job '${job}' (item ${index})`;
    const fail = (problem: string, name = 'States.Runtime'): Error => terminalError(name, `${who}: its result file ${shown(file)} ${problem}`);
    // The command could have replaced the run folder itself with a link: it must still be the one made.
    const folder = await this.folder!;
    const now = await lstat(folder.path).catch(() => undefined);
    if (!now?.isDirectory() || now.ino !== folder.stats.ino || now.dev !== folder.stats.dev) throw fail(`cannot be read: the run folder ${shown(folder.path)} was replaced or removed`);
    let handle;
    try {
      // O_NOFOLLOW: a link in the file's place is refused, never followed out of the run folder;
      // O_NONBLOCK: a FIFO in its place does not hang the run.
      handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      if (code === 'ELOOP') throw fail('is a symbolic link: results are read only from a regular file in the run folder, never through a link');
      throw fail(`cannot be read (${code ?? (error as Error).message})`);
    }
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) throw fail('is not a regular file');
      if (stats.size > RESULT_LIMIT_BYTES) throw fail(`holds ${stats.size} bytes, more than Step Functions' 256 KiB payload (${RESULT_LIMIT_BYTES} bytes)`, 'States.DataLimitExceeded');
      // One byte more than the limit: a file still growing past it is caught too.
      const buffer = Buffer.alloc(RESULT_LIMIT_BYTES + 1);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      if (bytesRead > RESULT_LIMIT_BYTES) throw fail(`holds more than Step Functions' 256 KiB payload (${RESULT_LIMIT_BYTES} bytes)`, 'States.DataLimitExceeded');
      return parseResult(buffer.subarray(0, bytesRead), fail);
    } finally {
      await handle.close();
    }
  }
}

/** The file's bytes as a JSON value; `fail` words the problem. Empty (or only white space): no result. */
function parseResult(bytes: Uint8Array, fail: (problem: string) => Error): ReadResult {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw fail(`is not UTF-8 text (byte ${firstBadByte(bytes)} is not valid UTF-8): write JSON in UTF-8`);
  }
  if (text.trim() === '') return undefined;
  const shape = scanJson(text);
  if (shape.depth > MAX_DEPTH) throw fail(`nests arrays and objects ${shape.depth} deep, more than ${MAX_DEPTH}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw fail(`is not JSON (${printable((error as Error).message)}): write one JSON value, e.g. {"rows": 12}`);
  }
  if (shape.badNumber !== undefined) throw fail(`holds the number ${shape.badNumber.length > 40 ? `${shape.badNumber.slice(0, 40)}...` : shape.badNumber}, which JSON numbers here cannot carry exactly (${shape.why}): write it as a string`);
  return { value };
}

/**
 * The nesting depth of JSON text and its first number that would not survive parsing: not finite
 * (1e400), or an integer that parses to another one (past 2^53). Strings are skipped; a loop, not
 * recursion, so any depth is measured. Text that is not JSON gives an answer JSON.parse then refuses.
 */
function scanJson(text: string): { depth: number; badNumber?: string; why?: string } {
  let depth = 0;
  let deepest = 0;
  const token = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[[\]{}]/gs;
  for (const m of text.matchAll(token)) {
    const t = m[0];
    if (t === '[' || t === '{') deepest = Math.max(deepest, ++depth);
    else if (t === ']' || t === '}') depth--;
    else if (t[0] !== '"') {
      const n = Number(t);
      if (!Number.isFinite(n)) return { depth: deepest, badNumber: t, why: 'it is too large for a double' };
      if (/^-?\d+$/.test(t) && BigInt(t) !== BigInt(n)) return { depth: deepest, badNumber: t, why: `past 2^53 it would read as ${BigInt(n)}` };
    }
  }
  return { depth: deepest };
}

/** The parser's message quotes the file: its control characters escaped, so nothing it holds reaches a terminal as a control sequence. */
const printable = (text: string): string => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** Where decoding fails: one streaming decoder fed byte by byte (at the end: a sequence cut short). */
function firstBadByte(bytes: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (let i = 0; i < bytes.length; i++) {
    try {
      decoder.decode(bytes.subarray(i, i + 1), { stream: true });
    } catch {
      return i;
    }
  }
  return bytes.length;
}

/** A States error that no Retry or Catch matches, as Step Functions treats States.Runtime and States.DataLimitExceeded. */
export function terminalError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  // The engine reads these (aws-local-stepfunctions: RuntimeError) before matching Retry and Catch.
  Object.defineProperties(error, { isRetryable: { value: false }, isCatchable: { value: false } });
  return error;
}

/** A path as a message shows it: relative to the working folder when it is inside it. */
export function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
