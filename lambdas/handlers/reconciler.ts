import { ECRClient } from '@aws-sdk/client-ecr';
import { SFNClient } from '@aws-sdk/client-sfn';
import { EcrImageLister } from '../adapters/aws/ecr-image-lister';
import { recordSdkCalls } from '../adapters/aws/sdk-call-recorder';
import { SfnWorkflowStarter } from '../adapters/aws/sfn-workflow-starter';
import { reconcile } from '../ledger/reconcile';
import { aws, lambdaHandler, logger } from './runtime';

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`environment variable ${name} is not set`);
  return v;
}

const lister = new EcrImageLister(recordSdkCalls(new ECRClient({})), env('REGISTRY_HOST'));
const starter = new SfnWorkflowStarter(recordSdkCalls(new SFNClient({})), env('STATE_MACHINE_ARN'));

/** Hourly (EventBridge Scheduler): the workflow for every tagged digest of the guarded repositories without a completed record. */
export const handler = lambdaHandler('reconciler', async () => {
  const report = await reconcile(
    { lister, records: aws.records(), start: (image) => starter.start(image), concurrency: Number(process.env.RECONCILE_CONCURRENCY) || 4, metrics: aws.metrics },
    env('GUARDED_REPOSITORIES').split(','),
  );
  const summary = { listed: report.listed, processed: report.processed, evidence: report.evidence, started: report.started.length, alreadyStarted: report.alreadyStarted.length, failed: report.failed.length };
  logger.info('reconciled', summary);
  // A start that failed is retried next hour; say so in the invocation's result, without failing the others.
  if (report.failed.length) logger.warn('reconcile: starts failed', { failed: report.failed.slice(0, 20).map((f) => ({ digest: f.image.digest, error: f.error })) });
  return summary;
});
