import { S3Client } from '@aws-sdk/client-s3';
import { S3BlobStore } from '../adapters/aws/s3-blob-store';
import { recordSdkCalls } from '../adapters/aws/sdk-call-recorder';
import { environmentsFrom } from '../gate/environments';
import { OsvMirrorStore } from '../vuln/mirror/mirror-store';
import { MirrorOsvSource } from '../vuln/sources/mirror-source';
import { createRescanBatch } from '../workflow/watch/rescan-batch';
import { createWatch } from '../workflow/watch/watch';
import { aws, awsEnvironment, lambdaHandler } from './runtime';

// One mirror load per container: a Distributed Map's batches reuse warm containers.
const env = awsEnvironment();
const hours = Number(process.env.OSV_MIRROR_MAX_AGE_HOURS);
const mirror = new OsvMirrorStore(new S3BlobStore(recordSdkCalls(new S3Client({})), process.env.EVIDENCE_BUCKET ?? ''), process.env.OSV_MIRROR_PREFIX ?? 'osv-mirror/');
const source = new MirrorOsvSource(mirror, { now: env.now, ...(hours > 0 ? { maxAgeMs: hours * 3600_000 } : {}) });

/** A batch of the weekly full re-scan (the FullRescan state machine's Distributed Map). */
export const handler = lambdaHandler(
  'rescan',
  createRescanBatch(
    createWatch({
      index: aws.componentIndex(),
      scans: aws.scans(),
      records: env.records,
      evidence: env.evidence,
      alerts: env.alerts,
      metrics: env.metrics,
      source,
      dataSource: source.label,
      threshold: env.threshold,
      unknownSeverity: env.unknownSeverity,
      ...(process.env.GATE_ENVIRONMENTS ? { environments: environmentsFrom(JSON.parse(process.env.GATE_ENVIRONMENTS), 'GATE_ENVIRONMENTS') } : {}),
      now: env.now,
    }),
    env.alerts,
  ),
);
