/**
 * The gate as an HTTPS endpoint (a Lambda Function URL with AWS_IAM auth): the request is a JSON
 * body, the caller is the IAM principal the URL authenticated (never anything the body says),
 * and the answer is the decision with status 200 (allowed), 403 (denied) or 400 (bad request).
 * A direct Lambda invoke (`aws lambda invoke`) is answered with the decision itself.
 */
import { ArtifactGuardError, BadInputError, errorMessage } from '../core/errors';
import type { GateCaller, GateDecision, GateRequest } from './verify-gate';

/** The parts of a Function URL event the gate reads (payload format 2.0). */
export interface FunctionUrlEvent {
  readonly requestContext: { readonly http?: { readonly method?: string }; readonly authorizer?: { readonly iam?: { readonly userArn?: string; readonly callerId?: string } } };
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
}

export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export function isFunctionUrlEvent(event: unknown): event is FunctionUrlEvent {
  return typeof event === 'object' && event !== null && 'requestContext' in event;
}

const json = (statusCode: number, body: unknown): HttpResponse => ({ statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** Serves one gate request, whichever way it came. */
export async function serveGate(event: unknown, decide: (req: GateRequest, caller?: GateCaller) => Promise<GateDecision>): Promise<GateDecision | HttpResponse> {
  if (!isFunctionUrlEvent(event)) return decide(event as GateRequest, { identity: 'lambda:invoke (see CloudTrail for the principal)' });
  const method = event.requestContext.http?.method ?? 'POST';
  if (method !== 'POST') return json(405, { error: 'POST a JSON body: { "reference": "HOST/REPO@sha256:…", "environment": "prod" }' });
  const arn = event.requestContext.authorizer?.iam?.userArn;
  // The URL is AWS_IAM: an unauthenticated request never reaches here; refuse one anyway.
  if (!arn) return json(401, { error: 'the request carries no IAM identity' });
  let request: GateRequest;
  try {
    const text = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
    request = JSON.parse(text) as GateRequest;
  } catch (err) {
    return json(400, { error: `the body is not JSON: ${errorMessage(err)}` });
  }
  try {
    const decision = await decide(request, { identity: arn });
    return json(decision.allowed ? 200 : 403, decision);
  } catch (err) {
    // A bad request is the caller's to fix; anything else is ours (500, and the Lambda logs it).
    if (err instanceof BadInputError) return json(400, { error: errorMessage(err) });
    if (err instanceof ArtifactGuardError) return json(502, { error: errorMessage(err) });
    throw err;
  }
}
