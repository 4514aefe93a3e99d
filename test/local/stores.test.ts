// The marker stores of local runs: memory, a directory (never a half-written marker), and any
// S3-compatible endpoint (here s3rver, over the real S3 wire protocol).
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilePaths } from '../../generator/compile.ts';
import { DirectoryMarkerStore } from '../../generator/local/directory-store.ts';
import { S3EndpointError, S3MarkerStore } from '../../generator/local/s3-store.ts';
import { simulate } from '../../generator/local/simulate.ts';
import { MemoryMarkerStore } from '../../generator/local/store.ts';

interface S3rverServer {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
const S3rver = createRequire(import.meta.url)('s3rver') as new (options: Record<string, unknown>) => S3rverServer;

const temp = (): string => mkdtempSync(join(tmpdir(), 'stepgraph-markers-'));

/** Every file under `dir`, relative. */
function files(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]));
}

describe('DirectoryMarkerStore', () => {
  it('keeps a marker at <root>/<bucket>/<key> and reads, replaces and deletes it', async () => {
    const root = temp();
    const store = new DirectoryMarkerStore(root);
    expect(await store.get('b', 'done/a__20190312.done')).toBeUndefined();
    await store.put('b', 'done/a__20190312.done', '{"job":"a"}');
    await store.put('b', 'done/a__20190312.done', '{"job":"a","again":true}');
    expect(await store.get('b', 'done/a__20190312.done')).toBe('{"job":"a","again":true}');
    expect(files(root)).toEqual(['b/done/a__20190312.done']);
    await store.delete('b', 'done/a__20190312.done');
    await store.delete('b', 'done/a__20190312.done');
    expect(await store.get('b', 'done/a__20190312.done')).toBeUndefined();
    rmSync(root, { recursive: true });
  });

  it('never lets a reader see a half-written marker', async () => {
    // GIVEN large bodies, so a write takes many steps
    const store = new DirectoryMarkerStore(temp());
    const bodies = ['a', 'b', 'c'].map((c) => c.repeat(4 << 20));
    let stop = false;
    const seen: string[] = [];

    // WHEN one task rewrites the marker over and over while another keeps reading it
    const writer = (async () => {
      for (let i = 0; i < 24; i++) await store.put('bucket', 'done/big__20190312.done', bodies[i % 3]);
      stop = true;
    })();
    const reader = (async () => {
      while (!stop) {
        const body = await store.get('bucket', 'done/big__20190312.done');
        if (body !== undefined) seen.push(body.length === bodies[0].length && bodies.includes(body) ? 'whole' : `partial (${body.length} bytes)`);
      }
    })();
    await Promise.all([writer, reader]);

    // THEN every read saw a whole marker (writing in place would show partial ones), and no
    // temporary file is left behind
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen)).toEqual(new Set(['whole']));
    expect(files(store.root)).toEqual(['bucket/done/big__20190312.done']);
  });

  it('leaves neither a marker nor a temporary file when a write fails', async () => {
    const store = new DirectoryMarkerStore(temp());
    // A directory where the marker should go makes the final rename fail.
    mkdirSync(join(store.root, 'bucket', 'done', 'x__20190312.done', 'inside'), { recursive: true });
    await expect(store.put('bucket', 'done/x__20190312.done', 'body')).rejects.toThrow();
    expect(files(store.root)).toEqual([]);
  });

  it('refuses keys that would leave its directory', async () => {
    const store = new DirectoryMarkerStore(temp());
    await expect(store.put('bucket', '../../etc/passwd', 'x')).rejects.toThrow('is not a marker name');
    await expect(store.get('..', 'x')).rejects.toThrow('is not a marker name');
  });

  it('serves a simulation (file I/O on the virtual clock) exactly like memory does', async () => {
    const compiled = compilePaths(['workflows/player-analytics.yaml']).compiled[0];
    const store = new DirectoryMarkerStore(temp());
    const onDisk = await simulate(compiled, { date: '2019-03-12', store });
    const inMemory = await simulate(compiled, { date: '2019-03-12', store: new MemoryMarkerStore() });
    expect(onDisk.status).toBe('SUCCEEDED');
    expect(onDisk.jobs).toEqual(inMemory.jobs);
    expect(files(store.root).sort()).toEqual([
      'acme-job-markers/done/bi_import__20190312.done',
      'acme-job-markers/done/daily_kpis__20190312.done',
      'acme-job-markers/done/payments__20190312.done',
      'acme-job-markers/done/player_entry__20190312.done',
      'acme-job-markers/done/purchases__20190312.done',
      'acme-job-markers/done/revenue__20190312.done',
      'acme-job-markers/done/sessions__20190312.done',
    ]);
  });
});

describe('S3MarkerStore against s3rver', () => {
  let server: S3rverServer;
  let endpoint: string;
  beforeAll(async () => {
    server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: temp() });
    const { port } = await server.run();
    endpoint = `http://127.0.0.1:${port}`;
  });
  afterAll(() => server.close());

  it('creates missing buckets, then reads, writes and deletes markers', async () => {
    const store = new S3MarkerStore(endpoint);
    await store.connect(['stepgraph-markers']);
    expect(await store.get('stepgraph-markers', 'done/a__20190312.done')).toBeUndefined();
    await store.put('stepgraph-markers', 'done/a__20190312.done', '{"job":"a"}');
    expect(await store.get('stepgraph-markers', 'done/a__20190312.done')).toBe('{"job":"a"}');
    await store.delete('stepgraph-markers', 'done/a__20190312.done');
    expect(await store.get('stepgraph-markers', 'done/a__20190312.done')).toBeUndefined();
    store.close();
  });

  it('says clearly when the endpoint does not answer, or is not a URL', async () => {
    const store = new S3MarkerStore('http://127.0.0.1:9');
    await expect(store.connect(['b'])).rejects.toThrow(new S3EndpointError('cannot reach the S3 endpoint http://127.0.0.1:9: ECONNREFUSED'));
    store.close();
    expect(() => new S3MarkerStore('localhost:4568')).toThrow(S3EndpointError);
  });
});
