/**
 * The Promote Lambda's requests: a Function URL with AWS_IAM (the promoter's IAM principal is the
 * actor audited, never anything the body says) or a direct invoke. 200 promoted, 403 refused,
 * 400 a bad request, 502 the registry or a store failed (run it again: promotion resumes).
 */
import { ArtifactGuardError, BadInputError, errorMessage } from '../core/errors';
import type { HttpResponse } from './gate-endpoint';
import { isFunctionUrlEvent } from './gate-endpoint';
import type { PromotionOutcome, PromotionRequest } from './promotion';
import type { GateCaller } from './verify-gate';

const json = (statusCode: number, body: unknown): HttpResponse => ({ statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

function requestOf(value: unknown): PromotionRequest {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  for (const field of ['reference', 'target', 'environment'] as const) {
    if (typeof v[field] !== 'string' || v[field] === '') throw new BadInputError(`promote: the request needs "${field}" (a string): { "reference": "HOST/REPO@sha256:…", "target": "HOST/REPO[:TAG]", "environment": "prod" }`);
  }
  return { reference: v.reference as string, target: v.target as string, environment: v.environment as string };
}

export async function servePromotion(event: unknown, promote: (req: PromotionRequest, caller: GateCaller) => Promise<PromotionOutcome>): Promise<PromotionOutcome | HttpResponse> {
  if (!isFunctionUrlEvent(event)) return promote(requestOf(event), { identity: 'lambda:invoke (see CloudTrail for the principal)' });
  if ((event.requestContext.http?.method ?? 'POST') !== 'POST') return json(405, { error: 'POST a JSON body: { "reference", "target", "environment" }' });
  const arn = event.requestContext.authorizer?.iam?.userArn;
  if (!arn) return json(401, { error: 'the request carries no IAM identity' });
  try {
    const text = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      return json(400, { error: `the body is not JSON: ${errorMessage(err)}` });
    }
    const outcome = await promote(requestOf(body), { identity: arn });
    return json(outcome.promoted ? 200 : 403, outcome);
  } catch (err) {
    if (err instanceof BadInputError) return json(400, { error: errorMessage(err) });
    if (err instanceof ArtifactGuardError) return json(502, { error: errorMessage(err) });
    throw err;
  }
}
