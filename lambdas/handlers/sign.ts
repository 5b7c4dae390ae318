import { kmsSignerFor } from '../adapters/aws/kms-signer';
import { parseKeyRef } from '../signing/key-ref';
import { STEP_FACTORIES } from '../workflow/step-factories';
import { awsEnvironment, lambdaHandler } from './runtime';

const keyRef = parseKeyRef(`awskms:///${process.env.SIGNING_KEY_ARN ?? ''}`);
if (keyRef.kind !== 'awskms') throw new Error('SIGNING_KEY_ARN must be a KMS key ARN');

export const handler = lambdaHandler('sign', STEP_FACTORIES.sign(awsEnvironment({ signer: () => kmsSignerFor(keyRef) })));
