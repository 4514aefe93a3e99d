// Sends an alert to the workflow's SNS topic and, when configured, its Slack incoming webhook.
// Both are tried; a failure of either throws afterwards, so Lambda (or Scheduler) retries the
// invocation: a duplicate alert beats a lost one.
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsManagerClient as Secrets } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { HandlerError } from './errors.ts';
import { perRegion, readWebhookUrl } from './notify.ts';

export interface AlertDestinations {
  snsTopicArn?: string;
  /** Name or ARN of a Secrets Manager secret holding the Slack incoming-webhook URL. */
  slackWebhookSecret?: string;
}

export interface DeliveryDeps {
  /** A client for the region of the given ARN (topics and secrets may live in another region). */
  sns: (arn: string) => SNSClient;
  secrets: (arn: string) => SecretsManagerClient;
  fetch: typeof globalThis.fetch;
}

class DeadlineAlertNotDelivered extends HandlerError {}

export async function deliverAlert(deps: DeliveryDeps, to: AlertDestinations, alert: { subject: string; text: string }): Promise<void> {
  const problems: unknown[] = [];
  if (to.snsTopicArn) {
    try {
      await deps.sns(to.snsTopicArn).send(new PublishCommand({ TopicArn: to.snsTopicArn, Subject: alert.subject, Message: alert.text }));
    } catch (error) {
      problems.push(error);
    }
  }
  if (to.slackWebhookSecret) {
    try {
      const url = await readWebhookUrl(deps.secrets(to.slackWebhookSecret), to.slackWebhookSecret);
      const response = await deps.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: alert.text }) });
      if (!response.ok) throw new Error(`Slack webhook answered ${response.status}`);
    } catch (error) {
      problems.push(error);
    }
  }
  if (problems.length > 0) throw new DeadlineAlertNotDelivered(`could not deliver the deadline alert: ${problems.map((p) => (p as Error).message).join('; ')}`, { cause: problems });
}

/** The clients a deployed handler uses. */
export const deliveryClients: DeliveryDeps = {
  sns: perRegion((region) => new SNSClient(region ? { region } : {})),
  secrets: perRegion((region) => new Secrets(region ? { region } : {})),
  fetch: (...args) => globalThis.fetch(...args),
};
