import { kmsSignerFor } from '../adapters/aws/kms-signer';
import { parseKeyRef } from '../signing/key-ref';
import { createSignStep } from '../workflow/steps/sign';
import { aws, lambdaHandler } from './runtime';

const keyRef = parseKeyRef(`awskms:///${process.env.SIGNING_KEY_ARN ?? ''}`);
if (keyRef.kind !== 'awskms') throw new Error('SIGNING_KEY_ARN must be a KMS key ARN');

export const handler = lambdaHandler(
  'sign',
  createSignStep({
    openSource: aws.openSource,
    signer: kmsSignerFor(keyRef),
    signOnFindings: process.env.SIGN_ON_FINDINGS === 'true',
    evidence: aws.evidence(),
    attestor: `https://artifact-guard.dev/aws/${process.env.AWS_REGION ?? 'unknown-region'}/${process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'sign'}`,
    metrics: aws.metrics,
    now: aws.now,
  }),
);
