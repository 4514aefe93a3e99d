// Issue 12, items 3, 8 and 9: paths. Every path the local marker store builds stays under its
// root (checked at validate where the workflow says it); walking folders survives link loops,
// unreadable folders and FIFOs; a path mistake on the command line is exit 1 with one plain line.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../generator/cli/main.ts';
import { compilePaths, compileTexts } from '../../generator/compile.ts';
import { DirectoryMarkerStore } from '../../generator/local/directory-store.ts';
import { captureConsole } from '../support/console.ts';

const temp = (): string => mkdtempSync(join(tmpdir(), 'stepgraph-paths-'));
const example = readFileSync('workflows/player-analytics.yaml', 'utf8');
const codes = (text: string): string[] => compileTexts([{ file: 'm.yaml', text }]).diagnostics.map((d) => d.code);

describe('the local marker store', () => {
  it('refuses at validate a bucket that only looks like a placeholder, and a prefix with .. parts', () => {
    const wf = (markers: string) => `name: m\nmarkers: ${markers}\njobs:\n  a: {lambda: f}\n`;
    expect(codes(wf('{ bucket: "${x/../../../../tmp/out}" }'))).toEqual(['SG3010']);
    expect(codes(wf('{ prefix: "../../" }'))).toEqual(['SG3010']);
    expect(codes(wf('{ prefix: "a/./" }'))).toEqual(['SG3010']);
    expect(codes(wf('{ prefix: "a//" }'))).toEqual(['SG3010']);
    expect(codes(wf('{ bucket: "${MarkerBucket}", prefix: "done/daily/" }'))).toEqual([]);
  });

  it('never builds a path outside its root, whatever the bucket and key', async () => {
    const root = temp();
    const store = new DirectoryMarkerStore(join(root, 'store'));
    for (const [bucket, key] of [['${x/../../../../tmp/out}', 'k'], ['..', 'k'], ['b', '../../k'], ['b/../..', 'k'], ['b', '/abs'], ['b', 'a\\..\\b']]) {
      expect(() => store.path(bucket, key), `${bucket} ${key}`).toThrow(/not a marker name the local store accepts/);
      await expect(store.put(bucket, key, '{}')).rejects.toThrow(/not a marker name/);
    }
    expect(existsSync(join(root, 'out'))).toBe(false);
    expect(store.path('b', 'done/a__20190312.done')).toBe(join(root, 'store', 'b', 'done', 'a__20190312.done'));
  });
});

describe('walking folders', () => {
  it('reports a link loop and a FIFO named x.yaml as diagnostics, at once, and reads the rest', () => {
    const dir = temp();
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'player.yaml'), example);
    symlinkSync('..', join(dir, 'sub', 'loop'));
    execFileSync('mkfifo', [join(dir, 'x.yaml')]);
    const result = compilePaths([dir]);
    expect(result.compiled.map((c) => c.workflow.name)).toEqual(['player-analytics']);
    const problems = result.diagnostics.map((d) => [d.code, d.file.split('/').slice(-2).join('/'), d.message]);
    expect(problems).toEqual([
      ['SG1007', 'sub/loop', 'this folder leads back to a folder already read (a link loop); it is skipped'],
      ['SG1007', expect.stringMatching(/x\.yaml$/), 'this is not a regular file (a pipe, socket or device), so it is not read'],
    ]);
  });

  it("skips compile's outputs inside the inputs: validating after `compile wf --out wf/build` reads the workflow only", async () => {
    const dir = temp();
    writeFileSync(join(dir, 'player.yaml'), example);
    expect(await main(['compile', dir, '--out', join(dir, 'build')])).toBe(0);
    const result = compilePaths([dir]);
    expect(result.diagnostics).toEqual([]);
    expect(result.compiled.map((c) => c.workflow.file)).toEqual([expect.stringMatching(/player\.yaml$/)]);
  });

  it.skipIf(process.getuid?.() === 0)('reports a folder it may not list', () => {
    const dir = temp();
    mkdirSync(join(dir, 'locked'));
    writeFileSync(join(dir, 'locked', 'a.yaml'), example);
    chmodSync(join(dir, 'locked'), 0);
    try {
      expect(compilePaths([dir]).diagnostics.map((d) => [d.code, d.message])).toEqual([['SG1007', 'cannot list this folder (EACCES)']]);
    } finally {
      chmodSync(join(dir, 'locked'), 0o755);
    }
  });
});

describe('path mistakes on the command line', () => {
  const captured = captureConsole();

  it.each([
    ['compile --out onto an input file', (dir: string) => ['compile', join(dir, 'x.yaml'), '--out', join(dir, 'x.yaml')], /cannot create the folder '.*x\.yaml': a file is in the way/],
    ['compile --out under /dev/null', (dir: string) => ['compile', join(dir, 'x.yaml'), '--out', '/dev/null/x'], /cannot create the folder '\/dev\/null\/x': a part of the path is a file/],
    ['sweep compile --out under /dev/null', () => ['sweep', 'compile', '--param-file', 'workflows/sweeps/quickstart.json', '--out', '/dev/null/x'], /cannot create the folder '\/dev\/null\/x'/],
    ['run --local --markers naming a file', (dir: string) => ['run', join(dir, 'x.yaml'), '--local', '--markers', join(dir, 'x.yaml')], /cannot create the folder '.*x\.yaml': a file is in the way/],
  ])('%s: exit 1, one plain line, no stack', async (_, args, message) => {
    const dir = temp();
    writeFileSync(join(dir, 'x.yaml'), 'name: x\njobs:\n  a: {lambda: f, local: {command: "touch ran"}}\n');
    const code = await main(args(dir));
    expect(code).toBe(1);
    expect(captured.err.join('\n')).toMatch(message);
    expect(captured.err.join('\n')).not.toMatch(/internal error|\n\s+at /);
    // Nothing ran before the problem was found.
    expect(existsSync('ran')).toBe(false);
  });
});

// Issue 12, item 12: a compile stopped while writing leaves the old result whole.
describe('compile --out, stopped while writing', () => {
  it('leaves all of the old files when a write fails midway, and no temporaries', async () => {
    const { writeFilesTogether } = await import('../../generator/cli/files.ts');
    const dir = temp();
    writeFileSync(join(dir, 'a.asl.json'), 'old a');
    writeFileSync(join(dir, 'b.asl.json'), 'old b');
    // The second file cannot be written (its folder is a file): nothing may be renamed into place.
    writeFileSync(join(dir, 'blocker'), '');
    expect(() => writeFilesTogether([{ path: join(dir, 'a.asl.json'), content: 'new a' }, { path: join(dir, 'blocker', 'b.asl.json'), content: 'new b' }])).toThrow();
    expect(readFileSync(join(dir, 'a.asl.json'), 'utf8')).toBe('old a');
    expect(readFileSync(join(dir, 'b.asl.json'), 'utf8')).toBe('old b');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('removes the temporaries a killed compile left behind', async () => {
    const { writeFilesTogether } = await import('../../generator/cli/files.ts');
    const dir = temp();
    // A pid that is surely gone: a child that already exited.
    const gone = execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(join(dir, `.a.asl.json.${gone}.tmp`), 'half');
    writeFilesTogether([{ path: join(dir, 'a.asl.json'), content: 'new' }]);
    expect(readdirSync(dir)).toEqual(['a.asl.json']);
  });
});
