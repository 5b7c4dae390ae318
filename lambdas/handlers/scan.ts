import { S3Client } from '@aws-sdk/client-s3';
import { httpInspector2Client } from '../adapters/aws/inspector2-client';
import { InspectorOpinionSource } from '../adapters/aws/inspector-opinions';
import { S3OsvMirror } from '../adapters/aws/s3-osv-mirror';
import { configuredSource } from '../vuln/sources/configure';
import { STEP_FACTORIES } from '../workflow/step-factories';
import { awsEnvironment, lambdaHandler, logger } from './runtime';
import { recordSdkCalls } from '../adapters/aws/sdk-call-recorder';

// The construct sets ARTIFACT_GUARD_OSV_MIRROR (an S3 mirror) or ARTIFACT_GUARD_OSV_API.
const vulnerabilities = () => configuredSource({}, process.env, { log: (line) => logger.info(line), mirror: (uri) => new S3OsvMirror(recordSdkCalls(new S3Client({})), uri) });

// `inspector: { enabled: true }` on the construct sets ARTIFACT_GUARD_INSPECTOR=1 (and grants inspector2:ListFindings).
const opinions = () => (process.env.ARTIFACT_GUARD_INSPECTOR === '1' ? [new InspectorOpinionSource(httpInspector2Client({ region: process.env.AWS_REGION ?? 'us-east-1' }))] : []);

export const handler = lambdaHandler('scan', STEP_FACTORIES.scan(awsEnvironment({ vulnerabilities, opinions })));
