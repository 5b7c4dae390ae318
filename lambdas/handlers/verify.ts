import { kmsSignerFor } from '../adapters/aws/kms-signer';
import { policyFrom } from '../attest/policy';
import { cachedUntilFailure } from '../core/retry-after-failure';
import { environmentsFrom } from '../gate/environments';
import { serveGate } from '../gate/gate-endpoint';
import { createVerifyGate } from '../gate/verify-gate';
import { loadPublicKey } from '../signing/ecdsa';
import { parseKeyRef } from '../signing/key-ref';
import type { VerificationKey } from '../signing/verifier';
import { aws, lambdaHandler, logger } from './runtime';

const keyRef = parseKeyRef(`awskms:///${process.env.SIGNING_KEY_ARN ?? ''}`);
if (keyRef.kind !== 'awskms') throw new Error('SIGNING_KEY_ARN must be a KMS key ARN');

// GetPublicKey once per container (the key is asymmetric and never changes); a failed lookup (a
// KMS throttle) is not kept: the next request asks again.
const signer = kmsSignerFor(keyRef);
export const stackKeys: () => Promise<VerificationKey[]> = cachedUntilFailure(async () => {
  const info = await signer.publicKey();
  return [{ name: info.keyId, key: loadPublicKey(info.pem, info.keyId) }];
});

/** GATE_IDENTITIES: comma-separated HOST/REPO a request may name in `identities`; unset: none. */
function allowedIdentities(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

const gate = createVerifyGate({
  openSource: aws.openSource,
  keys: stackKeys,
  alerts: aws.alerts(),
  metrics: aws.metrics,
  defaultPolicy: process.env.GATE_POLICY ? policyFrom(JSON.parse(process.env.GATE_POLICY)) : undefined,
  // GATE_ENVIRONMENTS: the stack's environments (validated at synth), as an environments document.
  environments: process.env.GATE_ENVIRONMENTS ? environmentsFrom(JSON.parse(process.env.GATE_ENVIRONMENTS), 'GATE_ENVIRONMENTS') : undefined,
  records: aws.records(),
  allowedIdentities: allowedIdentities(process.env.GATE_IDENTITIES),
  log: (message, fields) => logger.info(message, { step: 'verify', ...fields }),
  now: aws.now,
});

/** Direct invokes and the IAM-authenticated Function URL alike (gate-endpoint.ts). */
export const handler = lambdaHandler('verify', (event: unknown) => serveGate(event, gate));
