// Builders shared by the ops tests: small workflows written inline, and an Aws whose clients are
// mocked with aws-sdk-client-mock and whose retries do not sleep.
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { vi } from 'vitest';
import { main } from '../../generator/cli/main.ts';
import { DEFAULTS, type ExternalMarker, type Job, type Partition, type Trigger, type Workflow } from '../../generator/model.ts';
import { connect, type Aws } from '../../generator/ops/aws.ts';

export interface JobSpec {
  needs?: string[];
  waitsFor?: string[];
  pipeline?: boolean;
}

export function workflow(
  name: string,
  jobs: Record<string, JobSpec>,
  options: { partition?: Partition; bucket?: string; prefix?: string; triggers?: Trigger[] } = {},
): Workflow {
  const prefix = options.prefix ?? 'done/';
  return {
    file: `workflows/${name}.yaml`,
    name,
    partition: options.partition ?? 'daily',
    markers: { bucket: options.bucket, prefix },
    defaults: { timeoutSeconds: DEFAULTS.timeoutSeconds, retry: DEFAULTS.retry, wait: DEFAULTS.wait },
    alerts: {},
    triggers: options.triggers ?? [],
    jobs: Object.entries(jobs).map(([jobName, spec]): Job => ({
      name: jobName,
      kind: spec.pipeline ? { type: 'data_pipeline', pipeline: jobName, parameters: {} } : { type: 'lambda', function: jobName },
      needs: spec.needs ?? [],
      waitsFor: (spec.waitsFor ?? []).map((marker): ExternalMarker => ({ marker, prefix, timeoutSeconds: 3600 })),
      timeoutSeconds: 3600,
      retry: DEFAULTS.retry,
      params: {},
    })),
  };
}

export const REGION = 'eu-west-1';
export const SM_ARN = `arn:aws:states:${REGION}:123456789012:stateMachine:player-analytics`;
export const execArn = (name: string, sm = 'player-analytics'): string => `arn:aws:states:${REGION}:123456789012:execution:${sm}:${name}`;

export function mocks() {
  return { sfn: mockClient(SFNClient), s3: mockClient(S3Client) };
}

/** The details of a failed Task attempt, as Step Functions records them. */
export const taskFailed = (error: string, cause?: string) => ({
  taskFailedEventDetails: { error, cause, resourceType: 'lambda', resource: 'invoke' },
});

export const noSleep = async (): Promise<void> => {};

export async function testAws(sleeps: number[] = []): Promise<Aws> {
  return connect({
    region: REGION,
    retry: { sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 },
  });
}

export const WORKFLOWS = 'test/ops/workflows';

/** Runs `stepgraph <args>` (workflows from the tests' folder, region fixed) and collects its output. */
export async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  try {
    const code = await main([...args, '--workflows', WORKFLOWS]);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}
