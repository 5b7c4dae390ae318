import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { AlertType, type AlertTypeName } from '../core/alerts';
import { BadInputError } from '../core/errors';
import { classifyingClient } from '../adapters/aws/aws-errors';
import { renderAlert } from '../workflow/alert-message';
import { lambdaHandler } from './runtime';

/** An event from the alerts bus, as EventBridge delivers it to a Lambda target. */
interface AlertEvent {
  readonly 'detail-type'?: string;
  readonly detail?: Readonly<Record<string, unknown>>;
  readonly account?: string;
  readonly region?: string;
}

const KNOWN: ReadonlySet<string> = new Set(Object.values(AlertType));
// Throttling and SNS/KMS trouble are retried by the async invoke; refusals go to the dead-letter queue.
const sns = classifyingClient(new SNSClient({}), 'SNS');

/**
 * Sends an alert to people: SNS e-mail with a subject naming what happened and to which image and
 * a body a person can act on (`renderAlert`); to chat (AWS Chatbot) as a custom notification.
 */
export const handler = lambdaHandler('alert-mailer', async (event: AlertEvent): Promise<{ subject: string }> => {
  const type = event['detail-type'];
  if (!type || !KNOWN.has(type) || !event.detail) throw new BadInputError(`not an Artifact Guard alert: detail-type ${JSON.stringify(type)}`);
  const message = renderAlert(type as AlertTypeName, event.detail, { ...(event.account ? { account: event.account } : {}), ...(event.region ? { region: event.region } : {}) });
  await sns.send(new PublishCommand({ TopicArn: process.env.ALERT_TOPIC_ARN, Subject: message.subject, Message: message.text }));
  const chat = process.env.CHAT_TOPIC_ARN;
  if (chat) await sns.send(new PublishCommand({ TopicArn: chat, Message: JSON.stringify(message.chat) }));
  return { subject: message.subject };
});
