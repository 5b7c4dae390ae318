import { S3Client } from '@aws-sdk/client-s3';
import { S3OsvMirror } from '../adapters/aws/s3-osv-mirror';
import { configuredSource } from '../vuln/sources/configure';
import { STEP_FACTORIES } from '../workflow/step-factories';
import { awsEnvironment, lambdaHandler, logger } from './runtime';
import { recordSdkCalls } from '../adapters/aws/sdk-call-recorder';

// The construct sets ARTIFACT_GUARD_OSV_MIRROR (an S3 mirror) or ARTIFACT_GUARD_OSV_API.
const vulnerabilities = () => configuredSource({}, process.env, { log: (line) => logger.info(line), mirror: (uri) => new S3OsvMirror(recordSdkCalls(new S3Client({})), uri) });

export const handler = lambdaHandler('scan', STEP_FACTORIES.scan(awsEnvironment({ vulnerabilities })));
