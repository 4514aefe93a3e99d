// Options every operations command takes, and the step from parsed options to AWS clients.
import type { ParseArgsConfig } from 'node:util';
import { UserError } from '../errors.ts';
import { connect, sleep, type Aws, type RetryPolicy } from './aws.ts';
import { DEFAULT_WORKFLOWS_DIR } from './workflows.ts';

export const AWS_OPTIONS = {
  region: { type: 'string' },
  profile: { type: 'string' },
  'state-machine-arn': { type: 'string' },
  workflows: { type: 'string', default: DEFAULT_WORKFLOWS_DIR },
} as const satisfies ParseArgsConfig['options'];

export const AWS_USAGE = '[--region R] [--profile P] [--state-machine-arn ARN] [--workflows DIR]';

/**
 * Tests swap the pauses (retry backoff, backfill polls, status refreshes) for instant ones so
 * they run in milliseconds; commands never call this.
 */
let retryOverride: Partial<RetryPolicy> | undefined;
export function setRetryPolicyForTests(policy: Partial<RetryPolicy> | undefined): void {
  retryOverride = policy;
}

/** Waits between polls of a command; instant under tests that swapped the clock. */
export const pause = (ms: number): Promise<void> => (retryOverride?.sleep ?? sleep)(ms);

export function connectFrom(values: { region?: string; profile?: string }): Promise<Aws> {
  return connect({ region: values.region, profile: values.profile, retry: retryOverride });
}

/** Exactly one positional argument (the workflow or an execution ARN). */
export function onePositional(positionals: readonly string[], usage: string): string {
  if (positionals.length !== 1) {
    throw new UserError(positionals.length === 0 ? `missing argument; usage: ${usage}` : `one argument expected, got ${positionals.join(' ')}; usage: ${usage}`);
  }
  return positionals[0];
}

export function positiveInt(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UserError(`${flag} '${text}' must be a whole number of at least 1`);
  return n;
}

export function requireFlag<T>(value: T | undefined, flag: string, example: string): T {
  if (value === undefined) throw new UserError(`${flag} is required, e.g. ${example}`);
  return value;
}
