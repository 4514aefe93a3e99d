// Releases a waiting Task with SendTaskSuccess, or with SendTaskFailure when its subject ended in
// failure (generator/contract/waits.ts: Releaser). A token that is no longer waiting — its Task
// timed out, its run finished or was stopped, a duplicate event already released it — is 'gone':
// that is the expected end of a late or repeated release, not an error.
import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { Releaser } from '../generator/contract/waits.ts';

/** Step Functions' answers for a token that waits no more. */
const GONE_ERRORS = ['TaskTimedOut', 'InvalidToken', 'TaskDoesNotExist'];

/** SendTaskFailure's limits: error 256 characters, cause 32,768. */
const ERROR_LIMIT = 256;
const CAUSE_LIMIT = 32_768;

export class SfnReleaser implements Releaser {
  constructor(private readonly sfn: SFNClient) {}

  release(token: string, output: Record<string, unknown>): Promise<'released' | 'gone'> {
    return answered(this.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) })));
  }

  fail(token: string, error: string, cause: string): Promise<'released' | 'gone'> {
    return answered(this.sfn.send(new SendTaskFailureCommand({ taskToken: token, error: error.slice(0, ERROR_LIMIT), cause: cause.slice(0, CAUSE_LIMIT) })));
  }
}

async function answered(call: Promise<unknown>): Promise<'released' | 'gone'> {
  try {
    await call;
    return 'released';
  } catch (error) {
    if (GONE_ERRORS.includes((error as { name?: string }).name ?? '')) return 'gone';
    throw error;
  }
}
