import type { LambdaClient } from '@aws-sdk/client-lambda';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { RefusedError, UnavailableError } from '../../core/errors';
import type { Approver } from '../../ports/approver';
import type { ApprovalRequest } from '../../signing/approvals';
import { parsePresignedPayloads, PresignedSigner } from '../../signing/presigned';
import { classifyingClient } from './aws-errors';

/** What the Sign Lambda receives from the promoter: `{ approve: { identity, digests } }`. */
export interface ApprovalInvocation {
  readonly approve: ApprovalRequest;
}

/**
 * Approvals from the Sign Lambda (synchronous Invoke): the caller holds no key. A function error
 * is the signer's refusal (or its transient trouble, retried by the caller's own retry path).
 */
export function lambdaApprover(client: LambdaClient, functionName: string): Approver {
  const lambda = classifyingClient(client, 'Lambda');
  return async (identity, digests) => {
    const request: ApprovalInvocation = { approve: { identity, digests } };
    const res = await lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(request)) }));
    const text = res.Payload ? Buffer.from(res.Payload).toString('utf8') : '';
    if (res.FunctionError) {
      let detail: { errorType?: unknown; errorMessage?: unknown } = {};
      try {
        detail = JSON.parse(text) as typeof detail;
      } catch {
        // Not JSON (a runtime crash): reported as is below.
      }
      const message = `the Sign function ${functionName} did not approve ${identity}: ${String(detail.errorType ?? res.FunctionError)}: ${String(detail.errorMessage ?? text).slice(0, 300)}`;
      throw detail.errorType === 'UnavailableError' ? new UnavailableError(message) : new RefusedError(message);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new RefusedError(`the Sign function ${functionName} answered with no JSON`);
    }
    return new PresignedSigner(parsePresignedPayloads(body));
  };
}
