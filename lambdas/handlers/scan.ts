import { S3Client } from '@aws-sdk/client-s3';
import { httpInspector2Client } from '../adapters/aws/inspector2-client';
import { InspectorOpinionSource } from '../adapters/aws/inspector-opinions';
import { S3BlobStore } from '../adapters/aws/s3-blob-store';
import { S3OsvMirror } from '../adapters/aws/s3-osv-mirror';
import { configuredSource } from '../vuln/sources/configure';
import { OsvMirrorStore } from '../vuln/mirror/mirror-store';
import { MirrorOsvSource } from '../vuln/sources/mirror-source';
import type { VulnerabilitySource } from '../vuln/vulnerability-source';
import { STEP_FACTORIES } from '../workflow/step-factories';
import { awsEnvironment, lambdaHandler, logger } from './runtime';
import { recordSdkCalls } from '../adapters/aws/sdk-call-recorder';

/**
 * `s3://BUCKET/PREFIX/` (ending in `/`): the OSV mirror the watch keeps (its manifest and
 * layout, refused when older than OSV_MIRROR_MAX_AGE_HOURS); `s3://BUCKET/KEY`: one all.zip.
 */
function mirror(uri: string): VulnerabilitySource {
  const m = /^s3:\/\/([^/]+)\/(.*\/)$/.exec(uri);
  if (!m) return new S3OsvMirror(recordSdkCalls(new S3Client({})), uri);
  const hours = Number(process.env.OSV_MIRROR_MAX_AGE_HOURS);
  return new MirrorOsvSource(new OsvMirrorStore(new S3BlobStore(recordSdkCalls(new S3Client({})), m[1] as string), m[2] as string), { now: () => new Date(), ...(hours > 0 ? { maxAgeMs: hours * 3600_000 } : {}) });
}

// The construct sets ARTIFACT_GUARD_OSV_MIRROR (an S3 mirror) or ARTIFACT_GUARD_OSV_API.
const vulnerabilities = () => configuredSource({}, process.env, { log: (line) => logger.info(line), mirror });

// `inspector: { enabled: true }` on the construct sets ARTIFACT_GUARD_INSPECTOR=1 (and grants inspector2:ListFindings).
const opinions = () => (process.env.ARTIFACT_GUARD_INSPECTOR === '1' ? [new InspectorOpinionSource(httpInspector2Client({ region: process.env.AWS_REGION ?? 'us-east-1' }))] : []);

export const handler = lambdaHandler('scan', STEP_FACTORIES.scan(awsEnvironment({ vulnerabilities, opinions })));
