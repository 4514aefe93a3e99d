// The one door to AWS for the operations commands: clients built from the standard credential and
// region chain, every call retried on throttling with backoff, and the usual setup mistakes turned
// into one line that says what to set instead of a stack trace.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SFNClient } from '@aws-sdk/client-sfn';
import { UserError } from '../errors.ts';

export interface RetryPolicy {
  /** Total attempts per call, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep: (ms: number) => Promise<void>;
  /** In [0, 1): spreads retries of concurrent callers (full jitter). */
  random: () => number;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const DEFAULT_RETRY: RetryPolicy = {
  attempts: 8,
  baseDelayMs: 250,
  maxDelayMs: 20_000,
  sleep,
  random: Math.random,
};

export interface Aws {
  sfn: SFNClient;
  s3: S3Client;
  scheduler: SchedulerClient;
  /** The shared pool table (`status` shows who holds the slots). */
  dynamodb: DynamoDBClient;
  region: string;
  /** Runs one AWS call: retried while throttled, setup errors translated into a UserError. */
  call<T>(operation: string, send: () => Promise<T>): Promise<T>;
}

export interface ConnectOptions {
  region?: string;
  profile?: string;
  retry?: Partial<RetryPolicy>;
}

/** Builds the clients and resolves the region now, so a missing region is reported before any work. */
export async function connect(options: ConnectOptions = {}): Promise<Aws> {
  // The SDK's default chain reads AWS_PROFILE for credentials and region alike.
  if (options.profile) process.env.AWS_PROFILE = options.profile;
  // On Node 20 the SDK prints an 8-line notice about its releases after January 2027 before every
  // command's output; the versions pinned here run on Node 20, so it is noise (set the variable
  // to 'false' to see it).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // One retry policy, ours: the SDK's own would multiply with it (and mocks bypass it anyway).
  const config = { region: options.region, maxAttempts: 1 };
  const sfn = new SFNClient(config);
  const s3 = new S3Client(config);
  const scheduler = new SchedulerClient(config);
  const dynamodb = new DynamoDBClient(config);
  let region: string;
  try {
    region = await sfn.config.region();
  } catch (error) {
    throw translate(error, 'resolving the region') ?? error;
  }
  const policy = { ...DEFAULT_RETRY, ...options.retry };
  return { sfn, s3, scheduler, dynamodb, region, call: (operation, send) => withRetry(operation, send, policy) };
}

async function withRetry<T>(operation: string, send: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  let waitedMs = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      const retryable = isThrottling(error) || isTransient(error);
      if (retryable && attempt < policy.attempts) {
        const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
        const delay = Math.round(cap / 2 + (policy.random() * cap) / 2);
        waitedMs += delay;
        await policy.sleep(delay);
        continue;
      }
      if (isThrottling(error)) {
        throw new UserError(
          `AWS kept throttling ${operation} (${attempt} attempts over ${Math.round(waitedMs / 1000)}s); ` +
            'wait a minute and try again, or run fewer at once (e.g. a lower --max-concurrent)',
          { cause: error },
        );
      }
      throw translate(error, operation) ?? (isServiceError(error) ? new AwsError(operation, error) : error);
    }
  }
}

/**
 * An error AWS answered with. It is a UserError (exit 1, one line) because it is about the account's
 * state or permissions, not our code; callers that expect one (ExecutionAlreadyExists, ...) test `code`.
 */
export class AwsError extends UserError {
  override name = 'AwsError';
  readonly code: string;
  constructor(operation: string, error: unknown) {
    const e = error as { name?: string; message?: string };
    super(`AWS ${operation} failed: ${e.name}: ${e.message ?? ''}`.trimEnd(), { cause: error });
    this.code = e.name ?? 'Unknown';
  }
}

export const isAwsError = (error: unknown, ...codes: string[]): error is AwsError =>
  error instanceof AwsError && (codes.length === 0 || codes.includes(error.code));

const isServiceError = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && '$metadata' in error && typeof (error as { name?: unknown }).name === 'string';

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'ThrottledException',
  'RequestLimitExceeded',
  'SlowDown',
  'ProvisionedThroughputExceededException',
]);

function isThrottling(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number }; $retryable?: { throttling?: boolean } };
  return THROTTLING.has(e?.name ?? '') || e?.$metadata?.httpStatusCode === 429 || e?.$retryable?.throttling === true;
}

function isTransient(error: unknown): boolean {
  const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const status = e?.$metadata?.httpStatusCode ?? 0;
  return (
    status >= 500 ||
    ['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'InternalServerError', 'ServiceUnavailable'].includes(e?.name ?? '') ||
    ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN'].includes(e?.code ?? '')
  );
}

/** The setup mistakes everybody makes once, as a UserError saying what to set; undefined for others. */
function translate(error: unknown, operation: string): UserError | undefined {
  const e = error as { name?: string; message?: string };
  const name = e?.name ?? '';
  const message = e?.message ?? '';
  if (message === 'Region is missing' || name === 'RegionMissingError') {
    return new UserError(
      'no AWS region: pass --region (e.g. --region eu-west-1), or set AWS_REGION, or a region in the profile of ~/.aws/config',
      { cause: error },
    );
  }
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
    return new UserError(
      'no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or pass --profile <name> (a profile in ~/.aws), or log in with `aws sso login`',
      { cause: error },
    );
  }
  if (['ExpiredToken', 'ExpiredTokenException', 'TokenRefreshRequired'].includes(name)) {
    return new UserError('the AWS session token has expired: refresh your credentials (e.g. `aws sso login`) and try again', {
      cause: error,
    });
  }
  if (['UnrecognizedClientException', 'InvalidClientTokenId', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'InvalidSignatureException'].includes(name)) {
    return new UserError(`AWS rejected the credentials (${name}): check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or --profile`, {
      cause: error,
    });
  }
  if (name === 'AccessDeniedException' || name === 'AccessDenied') {
    return new UserError(`AWS denied ${operation}: ${message || name}`, { cause: error });
  }
  return undefined;
}
