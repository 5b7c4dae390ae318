import { S3Client } from '@aws-sdk/client-s3';
import { S3OsvMirror } from '../adapters/aws/s3-osv-mirror';
import type { VulnerabilitySource } from '../vuln/vulnerability-source';
import { severityWord } from '../vuln/severity';
import { OsvApiSource } from '../vuln/sources/osv-api';
import { createScanStep } from '../workflow/steps/scan';
import { aws, lambdaHandler } from './runtime';

/** OSV data: the mirror in S3 when the stack names one, else the OSV.dev API. */
function vulnerabilitySource(): VulnerabilitySource {
  const mirror = process.env.OSV_MIRROR;
  return mirror ? new S3OsvMirror(new S3Client({}), mirror) : new OsvApiSource({ baseUrl: process.env.OSV_API_URL || undefined });
}

export const handler = lambdaHandler(
  'scan',
  createScanStep({
    source: vulnerabilitySource(),
    evidence: aws.evidence(),
    threshold: severityWord(process.env.SEVERITY_THRESHOLD ?? 'high') ?? 'high',
    unknownSeverity: process.env.UNKNOWN_SEVERITY?.toLowerCase() === 'warn' ? 'warn' : 'fail',
    acceptUninventoried: process.env.ACCEPT_UNINVENTORIED === 'true',
    metrics: aws.metrics,
    now: aws.now,
  }),
);
