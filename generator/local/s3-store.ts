// Markers in any S3-compatible service (s3rver, MinIO, LocalStack...) through the real S3
// client, path-style. `connect` checks the endpoint answers and creates missing buckets, so a
// wrong URL is one clear error before the run starts instead of a wait timing out hours later.
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { MarkerStore } from './store.ts';

export class S3EndpointError extends Error {
  override name = 'S3EndpointError';
}

export class S3MarkerStore implements MarkerStore {
  readonly client: S3Client;

  constructor(readonly endpoint: string) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new S3EndpointError(`'${endpoint}' is not a URL; give the endpoint like http://127.0.0.1:4568`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new S3EndpointError(`'${endpoint}' is not an http(s) URL`);
    // The SDK's notice about Node 20 support after January 2027 is noise here (as in ops/aws.ts).
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    this.client = new S3Client({
      endpoint,
      forcePathStyle: true,
      region: process.env.AWS_REGION ?? 'us-east-1',
      // Keys from the environment, else the ones s3rver accepts out of the box (LocalStack takes
      // any); never the default chain, which would probe the network for credentials.
      credentials: {
        accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'S3RVER',
        secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'S3RVER',
      },
      maxAttempts: 2,
      requestHandler: { connectionTimeout: 3000, requestTimeout: 10_000 },
    });
  }

  get where(): string {
    return this.endpoint;
  }

  /** Fails with an S3EndpointError when the endpoint does not answer; creates missing buckets. */
  async connect(buckets: readonly string[]): Promise<void> {
    for (const bucket of [...new Set(buckets)].sort()) {
      try {
        await this.client.send(new HeadBucketCommand({ Bucket: bucket }));
      } catch (error) {
        if (statusOf(error) === 404) {
          await this.client.send(new CreateBucketCommand({ Bucket: bucket })).catch((e: unknown) => {
            throw new S3EndpointError(`cannot create bucket '${bucket}' at ${this.endpoint}: ${describe(e)}`);
          });
          continue;
        }
        if (statusOf(error) === 403) {
          throw new S3EndpointError(`${this.endpoint} refused access to bucket '${bucket}' (403): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to keys it accepts`);
        }
        throw new S3EndpointError(`cannot reach the S3 endpoint ${this.endpoint}: ${describe(error)}`);
      }
    }
  }

  async get(bucket: string, key: string): Promise<string | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return (await out.Body?.transformToString('utf8')) ?? '';
    } catch (error) {
      if ((error as Error).name === 'NoSuchKey' || statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async put(bucket: string, key: string, body: string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json' }));
  }

  async delete(bucket: string, key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  }

  close(): void {
    this.client.destroy();
  }
}

const statusOf = (error: unknown): number | undefined => (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

function describe(error: unknown): string {
  const e = error as { code?: string; name?: string; message?: string; errors?: { code?: string }[] };
  return e.code ?? e.errors?.[0]?.code ?? (e.name && e.name !== 'Error' ? e.name : undefined) ?? e.message ?? String(error);
}
