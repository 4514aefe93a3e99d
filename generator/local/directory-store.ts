// Markers as files: `<root>/<bucket>/<key>` (`.stepgraph/markers/` by default). A marker is
// written to a temporary name in the same directory and renamed over the target, so a reader
// (or a crash) never sees a half-written marker: rename is atomic within a file system.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { MarkerStore } from './store.ts';

export const DEFAULT_MARKER_DIR = '.stepgraph/markers';

let sequence = 0;

export class DirectoryMarkerStore implements MarkerStore {
  readonly root: string;

  constructor(root: string = DEFAULT_MARKER_DIR) {
    this.root = resolve(root);
  }

  get where(): string {
    return this.root;
  }

  async get(bucket: string, key: string): Promise<string | undefined> {
    try {
      return await readFile(this.path(bucket, key), 'utf8');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async put(bucket: string, key: string, body: string): Promise<void> {
    const target = this.path(bucket, key);
    await mkdir(dirname(target), { recursive: true });
    // Temporary names start with '.' and end with '.tmp'; no marker key looks like that.
    const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${++sequence}.tmp`);
    try {
      await writeFile(temp, body);
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async delete(bucket: string, key: string): Promise<void> {
    await rm(this.path(bucket, key), { force: true });
  }

  locate(bucket: string, key: string): string {
    return this.path(bucket, key);
  }

  /** The file of an object; refuses names that would leave the store's directory (bucket included). */
  path(bucket: string, key: string): string {
    const parts = [...bucket.split('/'), ...key.split('/')];
    const refuse = (): never => {
      throw new LocalStoreError(`'${bucket}/${key}' is not a marker name the local store accepts: every path it builds stays under ${this.root}`);
    };
    if (parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\\') || p.includes('\0'))) refuse();
    const path = join(this.root, ...parts);
    // Whatever the parts were, the result must still be inside the root.
    const inside = relative(this.root, path);
    if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) refuse();
    return path;
  }
}

/** A marker name that would leave the store: the user's to fix (a bucket or prefix), not a crash. */
class LocalStoreError extends Error {
  override name = 'LocalStoreError';
}

const isMissing = (error: unknown): boolean => ['ENOENT', 'ENOTDIR'].includes((error as { code?: string }).code ?? '');
