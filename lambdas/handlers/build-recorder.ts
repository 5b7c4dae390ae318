import { buildRecordOf, parseBuildReport } from '../ledger/build-report';
import { createBuildRecorder } from '../ledger/build-recorder';
import { aws, lambdaHandler } from './runtime';

/** A `Build Recorded` event from the stack's bus, as EventBridge delivers it to a Lambda target. */
interface BuildEvent {
  readonly id?: string;
  readonly time?: string;
  readonly account?: string;
  readonly detail?: unknown;
}

const record = createBuildRecorder({ records: aws.records(), ledger: aws.ledger(), alerts: aws.alerts(), metrics: aws.metrics });

/** Records a CI build report and joins it to the artifacts already recorded with its digests. */
export const handler = lambdaHandler('build-recorder', async (event: BuildEvent): Promise<{ outcome: string; linked: number }> => {
  const report = parseBuildReport(event.detail, 'Build Recorded event');
  // PutEvents does not tell a target who called it; the account the event came from does.
  const result = await record(buildRecordOf(report, event.time ?? aws.now().toISOString(), `eventbridge:${event.account ?? 'unknown'}`));
  return { outcome: result.outcome, linked: result.links.length };
});
