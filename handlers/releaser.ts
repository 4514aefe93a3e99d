// Releases a waiting Task with SendTaskSuccess (generator/contract/waits.ts: Releaser). A token
// that is no longer waiting — its Task timed out, its run finished or was stopped, a duplicate
// event already released it — is 'gone': that is the expected end of a late or repeated release,
// not an error.
import { SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { Releaser } from '../generator/contract/waits.ts';

/** Step Functions' answers for a token that waits no more. */
const GONE_ERRORS = ['TaskTimedOut', 'InvalidToken', 'TaskDoesNotExist'];

export class SfnReleaser implements Releaser {
  constructor(private readonly sfn: SFNClient) {}

  async release(token: string, output: Record<string, unknown>): Promise<'released' | 'gone'> {
    try {
      await this.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) }));
      return 'released';
    } catch (error) {
      if (GONE_ERRORS.includes((error as { name?: string }).name ?? '')) return 'gone';
      throw error;
    }
  }
}
