import { S3Client } from '@aws-sdk/client-s3';
import { S3BlobStore } from '../adapters/aws/s3-blob-store';
import { recordSdkCalls } from '../adapters/aws/sdk-call-recorder';
import { FetchHttpGet } from '../adapters/fetch-http-get';
import { UnavailableError } from '../core/errors';
import { environmentsFrom } from '../gate/environments';
import { OsvMirrorStore } from '../vuln/mirror/mirror-store';
import { runOsvWatch } from '../workflow/watch/run-watch';
import { aws, awsEnvironment, lambdaHandler, logger } from './runtime';

/**
 * The scheduled OSV watch (EventBridge rule): syncs the mirror under OSV_MIRROR_PREFIX in the
 * evidence bucket and matches what changed against the component index. An ecosystem whose
 * download failed keeps its old mirror; the run then fails (after the others are done) so that
 * the Lambda's errors metric and the rule's retries see it.
 */
export const handler = lambdaHandler('osv-watch', async () => {
  const env = awsEnvironment();
  const hours = Number(process.env.OSV_MIRROR_MAX_AGE_HOURS);
  const summary = await runOsvWatch({
    http: new FetchHttpGet(),
    mirror: new OsvMirrorStore(new S3BlobStore(recordSdkCalls(new S3Client({})), process.env.EVIDENCE_BUCKET ?? ''), process.env.OSV_MIRROR_PREFIX ?? 'osv-mirror/'),
    extraEcosystems: (process.env.OSV_ECOSYSTEMS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    ...(process.env.OSV_EXPORT_URL ? { baseUrl: process.env.OSV_EXPORT_URL } : {}),
    ...(hours > 0 ? { maxAgeMs: hours * 3600_000 } : {}),
    index: aws.componentIndex(),
    scans: aws.scans(),
    records: env.records,
    evidence: env.evidence,
    alerts: env.alerts,
    metrics: env.metrics,
    threshold: env.threshold,
    unknownSeverity: env.unknownSeverity,
    ...(process.env.GATE_ENVIRONMENTS ? { environments: environmentsFrom(JSON.parse(process.env.GATE_ENVIRONMENTS), 'GATE_ENVIRONMENTS') } : {}),
    now: env.now,
    log: (line) => logger.info(line),
  });
  logger.info('osv watch finished', { summary: { ...summary, ecosystems: summary.ecosystems.map((e) => `${e.ecosystem}:${e.mode}:${e.changed}`) } });
  if (summary.failed.length) throw new UnavailableError(`OSV mirror sync failed for ${summary.failed.join('; ')}`);
  return summary;
});
