// Where markers live during a local run. The emitted definition reads and writes S3 objects
// (getObject, putObject, deleteObject); locally those calls go to a MarkerStore: in memory for
// simulate, a directory by default for `run --local`, or any S3-compatible endpoint.

export interface MarkerStore {
  /** The object's body, or undefined when there is no such object. */
  get(bucket: string, key: string): Promise<string | undefined>;
  put(bucket: string, key: string, body: string): Promise<void>;
  delete(bucket: string, key: string): Promise<void>;
  /** A short description for messages, e.g. the directory. */
  readonly where: string;
  /** Where one object is, for people: a file path, or s3:// with the endpoint. */
  locate?(bucket: string, key: string): string;
}

/** Markers in memory: simulate's default, and a shared store across runs in tests. */
export class MemoryMarkerStore implements MarkerStore {
  readonly where = 'memory';
  private readonly objects = new Map<string, string>();

  async get(bucket: string, key: string): Promise<string | undefined> {
    return this.objects.get(`${bucket}/${key}`);
  }

  async put(bucket: string, key: string, body: string): Promise<void> {
    this.objects.set(`${bucket}/${key}`, body);
  }

  async delete(bucket: string, key: string): Promise<void> {
    this.objects.delete(`${bucket}/${key}`);
  }

  /** Every object as `bucket/key`, sorted (for tests and reports). */
  keys(): string[] {
    return [...this.objects.keys()].sort();
  }
}
