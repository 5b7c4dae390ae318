import { LambdaClient } from '@aws-sdk/client-lambda';
import { kmsSignerFor } from '../adapters/aws/kms-signer';
import { lambdaApprover } from '../adapters/aws/lambda-approver';
import { recordSdkCalls } from '../adapters/aws/sdk-call-recorder';
import { cachedUntilFailure } from '../core/retry-after-failure';
import { environmentsFrom } from '../gate/environments';
import { servePromotion } from '../gate/promote-endpoint';
import { createPromotion } from '../gate/promotion';
import { createVerifyGate } from '../gate/verify-gate';
import { loadPublicKey } from '../signing/ecdsa';
import { parseKeyRef } from '../signing/key-ref';
import type { VerificationKey } from '../signing/verifier';
import { aws, lambdaHandler, logger } from './runtime';

const keyRef = parseKeyRef(`awskms:///${process.env.SIGNING_KEY_ARN ?? ''}`);
if (keyRef.kind !== 'awskms') throw new Error('SIGNING_KEY_ARN must be a KMS key ARN');
// The key is read (GetPublicKey) to verify, never used to sign here: approvals come from the Sign Lambda.
const stackKey = kmsSignerFor(keyRef);
const approve = lambdaApprover(recordSdkCalls(new LambdaClient({})), process.env.SIGNER_FUNCTION ?? '');

// GetPublicKey once per container; a failed lookup (a KMS throttle) is not kept.
const stackKeys: () => Promise<VerificationKey[]> = cachedUntilFailure(async () => {
  const info = await stackKey.publicKey();
  return [{ name: info.keyId, key: loadPublicKey(info.pem, info.keyId) }];
});

// GATE_ENVIRONMENTS: the stack's environments (validated at synth), as the gate reads them.
const environments = environmentsFrom(JSON.parse(process.env.GATE_ENVIRONMENTS ?? '{}'), 'GATE_ENVIRONMENTS');
const records = aws.records();
const alerts = aws.alerts();

/** The gate's decision code, run here for the promotion (forPromotion), every decision audited. */
const gate = createVerifyGate({
  openSource: aws.openSource,
  keys: stackKeys,
  // A refusal alerts once, as a promotion refused (Policy Violation), not also as a deployment denied.
  alerts: { publish: async () => undefined },
  metrics: aws.metrics,
  environments,
  records,
  log: (message, fields) => logger.info(message, { step: 'promote', ...fields }),
  now: aws.now,
});

const promote = createPromotion({ gate, environments, registry: aws.registryClient, openSource: aws.openSource, approve, records, alerts, metrics: aws.metrics, now: aws.now });

/** Invoked by the promoter role: directly or over the IAM-authenticated Function URL (the actor audited). */
export const handler = lambdaHandler('promote', (event: unknown) => servePromotion(event, promote));
