import { kmsSignerFor } from '../adapters/aws/kms-signer';
import type { ApprovalInvocation } from '../adapters/aws/lambda-approver';
import { RefusedError } from '../core/errors';
import { parseApprovalRequest, signApprovals } from '../signing/approvals';
import { parseKeyRef } from '../signing/key-ref';
import type { PresignedPayloads } from '../signing/presigned';
import { STEP_FACTORIES } from '../workflow/step-factories';
import type { SignedPayloads, WorkflowState } from '../workflow/state';
import { awsEnvironment, lambdaHandler } from './runtime';

const keyRef = parseKeyRef(`awskms:///${process.env.SIGNING_KEY_ARN ?? ''}`);
if (keyRef.kind !== 'awskms') throw new Error('SIGNING_KEY_ARN must be a KMS key ARN');
const signer = kmsSignerFor(keyRef);

// The environments' repositories (`HOST/REPO`): the only identities a promotion may be approved for.
const promotionTargets = new Set((process.env.PROMOTION_TARGETS ?? '').split(',').filter(Boolean));

// Built on the first workflow invocation: an approval needs no evidence store.
let step: ((state: WorkflowState) => Promise<SignedPayloads>) | undefined;
const workflowStep = () => (step ??= STEP_FACTORIES.sign(awsEnvironment({ signer: () => signer })));

/** The Promote Lambda's request (the only other role granted to invoke it): approvals for an environment repository. */
async function approve(event: ApprovalInvocation): Promise<PresignedPayloads> {
  const req = parseApprovalRequest(event.approve);
  if (!promotionTargets.has(req.identity)) throw new RefusedError(`approvals are signed for the environments' repositories only, not ${req.identity}`);
  return signApprovals(signer, req);
}

/** Exactly `{ approve }`: a workflow state that carries an `approve` key is still a workflow state. */
const isApproval = (event: object): event is ApprovalInvocation => Object.keys(event).length === 1 && 'approve' in event;

/** Two callers: the state machine (the workflow's state) and the Promote Lambda (`{ approve }`). */
export const handler = lambdaHandler('sign', (event: WorkflowState | ApprovalInvocation): Promise<SignedPayloads | PresignedPayloads> =>
  isApproval(event) ? approve(event) : workflowStep()(event as WorkflowState),
);
