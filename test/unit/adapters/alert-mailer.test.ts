import { AuthorizationErrorException, PublishCommand, SNSClient, ThrottledException } from '@aws-sdk/client-sns';
import { RefusedError, UnavailableError } from '../../../lambdas/core/errors';
import { mockClient } from 'aws-sdk-client-mock';

const sns = mockClient(SNSClient);
sns.on(PublishCommand).resolves({ MessageId: 'm-1' });

describe('alert mailer (the alert bus → SNS)', () => {
  beforeAll(() => {
    process.env.ALERT_TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:alerts';
    process.env.CHAT_TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:chat';
    process.env.POWERTOOLS_METRICS_NAMESPACE = 'ArtifactGuard';
  });
  afterAll(() => sns.restore());

  it('publishes the rendered alert with its subject, and the chat notification', async () => {
    const { handler } = await import('../../../lambdas/handlers/alert-mailer');
    const event = {
      'detail-type': 'Scan Incomplete',
      source: 'artifact-guard',
      account: '123456789012',
      region: 'eu-west-1',
      detail: { summary: 's', repository: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app', digest: `sha256:${'a'.repeat(64)}`, tag: '2.0', gaps: ['PyPI is not in the data'], gapsTotal: 1 },
    };
    await expect(handler(event)).resolves.toEqual({ subject: '[Artifact Guard] Scan incomplete, not signed: app:2.0' });
    const [mail, chat] = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(mail).toMatchObject({ TopicArn: process.env.ALERT_TOPIC_ARN, Subject: '[Artifact Guard] Scan incomplete, not signed: app:2.0' });
    expect(mail?.Message).toContain('PyPI is not in the data');
    expect(mail?.Message).toContain('Account: 123456789012');
    expect(JSON.parse(chat?.Message ?? '{}')).toMatchObject({ version: '1.0', source: 'custom', content: { title: '[Artifact Guard] Scan incomplete, not signed: app:2.0' } });
    expect(chat?.Subject).toBeUndefined();
  });

  it('refuses an event that is not an Artifact Guard alert', async () => {
    const { handler } = await import('../../../lambdas/handlers/alert-mailer');
    await expect(handler({ 'detail-type': 'ECR Image Action', detail: {} })).rejects.toThrow(/not an Artifact Guard alert/);
  });

  it('classifies SNS errors: throttling is retried (async invoke), a refused publish is not', async () => {
    const { handler } = await import('../../../lambdas/handlers/alert-mailer');
    const event = { 'detail-type': 'Workflow Failed', detail: { summary: 'processing x failed: y', error: 'UnavailableError' } };
    sns.reset();
    sns.on(PublishCommand)
      .rejectsOnce(new ThrottledException({ $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' }))
      .rejectsOnce(new AuthorizationErrorException({ $metadata: { httpStatusCode: 403 }, message: 'not authorized to perform: SNS:Publish' }));
    await expect(handler(event)).rejects.toBeInstanceOf(UnavailableError);
    await expect(handler(event)).rejects.toBeInstanceOf(RefusedError);
  });
});
