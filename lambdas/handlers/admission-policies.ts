import { kmsSignerFor } from '../adapters/aws/kms-signer';
import { errorMessage } from '../core/errors';
import { admissionDocuments } from '../gate/admission-policies';
import { environmentsFrom } from '../gate/environments';
import { parseKeyRef } from '../signing/key-ref';
import { aws, logger } from './runtime';

/** The fields of a CloudFormation custom resource request this handler reads. */
interface CustomResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId?: string;
}

/** Answers CloudFormation at the pre-signed URL (its custom resource protocol). */
async function respond(event: CustomResourceEvent, status: 'SUCCESS' | 'FAILED', reason: string, data: Record<string, string> = {}): Promise<void> {
  const body = JSON.stringify({ Status: status, Reason: reason.slice(0, 1000), PhysicalResourceId: event.PhysicalResourceId ?? `admission-policies-${process.env.EVIDENCE_BUCKET ?? ''}`, StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId, Data: data });
  const res = await fetch(event.ResponseURL, { method: 'PUT', headers: { 'content-type': '', 'content-length': String(Buffer.byteLength(body)) }, body });
  if (!res.ok) throw new Error(`CloudFormation response rejected: HTTP ${res.status}`);
}

/**
 * Custom resource: writes each environment's admission policies (Kyverno, policy-controller,
 * containers-policy.json and its registries.d entry) for the stack's public key to the evidence
 * bucket under `admission/<env>/`, on every deployment. Deleting the stack leaves them (retained bucket).
 */
export const handler = async (event: CustomResourceEvent): Promise<void> => {
  if (event.RequestType === 'Delete') return respond(event, 'SUCCESS', 'kept with the evidence');
  try {
    const keyRef = parseKeyRef(`awskms:///${process.env.SIGNING_KEY_ARN ?? ''}`);
    if (keyRef.kind !== 'awskms') throw new Error('SIGNING_KEY_ARN must be a KMS key ARN');
    const pem = (await kmsSignerFor(keyRef).publicKey()).pem;
    const envs = environmentsFrom(JSON.parse(process.env.GATE_ENVIRONMENTS ?? '{}'), 'GATE_ENVIRONMENTS');
    const repositories = (process.env.GUARDED_REPOSITORIES ?? '').split(',').filter((r) => r !== '');
    const store = aws.evidence();
    const docs = admissionDocuments(envs.values(), pem, repositories);
    for (const d of docs) await store.put(d.key, Buffer.from(d.body), d.contentType);
    logger.info('admission policies written', { keys: docs.map((d) => d.key) });
    await respond(event, 'SUCCESS', `${docs.length} documents`, { Prefix: store.location('admission/') });
  } catch (err) {
    logger.error('admission policies failed', { error: err as Error });
    await respond(event, 'FAILED', errorMessage(err));
  }
};
