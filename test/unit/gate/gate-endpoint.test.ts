import { BadInputError } from '../../../lambdas/core/errors';
import { serveGate } from '../../../lambdas/gate/gate-endpoint';
import type { GateCaller, GateDecision, GateRequest } from '../../../lambdas/gate/verify-gate';

const ARN = 'arn:aws:sts::123456789012:assumed-role/deployer/ci';

/** A decision function that records what it was asked and by whom. */
function recorder(allowed: boolean) {
  const calls: { req: GateRequest; caller?: GateCaller }[] = [];
  const decide = async (req: GateRequest, caller?: GateCaller): Promise<GateDecision> => {
    calls.push({ req, ...(caller ? { caller } : {}) });
    if (req.reference === 'bad') throw new BadInputError('gate: "bad" is not a registry reference');
    return { allowed, reference: req.reference, repository: 'r', digest: 'sha256:x', reasons: allowed ? [] : ['no'], checkedAt: 't', policy: {}, policySource: 'gate', ...(caller ? { caller: caller.identity } : {}) };
  };
  return { decide, calls };
}

const urlEvent = (body: unknown, extra: Record<string, unknown> = {}) => ({ requestContext: { http: { method: 'POST' }, authorizer: { iam: { userArn: ARN } } }, body: typeof body === 'string' ? body : JSON.stringify(body), ...extra });

describe('the gate endpoint (Function URL, AWS_IAM)', () => {
  it('answers 200 / 403 with the decision, the caller being the IAM principal, never the body', async () => {
    const allow = recorder(true);
    const ok = (await serveGate(urlEvent({ reference: 'h/r:1', environment: 'prod', caller: 'someone-else' }), allow.decide)) as { statusCode: number; body: string };
    expect(ok.statusCode).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({ allowed: true, caller: ARN });
    expect(allow.calls[0]?.caller).toEqual({ identity: ARN });
    const deny = recorder(false);
    expect(((await serveGate(urlEvent({ reference: 'h/r:1' }), deny.decide)) as { statusCode: number }).statusCode).toBe(403);
    const b64 = (await serveGate(urlEvent(Buffer.from(JSON.stringify({ reference: 'h/r:1' })).toString('base64'), { isBase64Encoded: true }), allow.decide)) as { statusCode: number };
    expect(b64.statusCode).toBe(200);
  });

  it('refuses what is not a signed POST of a JSON request, and bad requests with 400', async () => {
    const r = recorder(true);
    const status = async (e: unknown) => ((await serveGate(e, r.decide)) as { statusCode: number; body: string }).statusCode;
    expect(await status({ requestContext: { http: { method: 'GET' }, authorizer: { iam: { userArn: ARN } } } })).toBe(405);
    expect(await status({ requestContext: { http: { method: 'POST' } }, body: '{"reference":"h/r:1"}' })).toBe(401);
    expect(await status(urlEvent('{not json'))).toBe(400);
    expect(await status(urlEvent({ reference: 'bad' }))).toBe(400);
    expect(r.calls.map((c) => c.req.reference)).toEqual(['bad']);
  });

  it('answers a direct invoke with the decision itself', async () => {
    const r = recorder(true);
    await expect(serveGate({ reference: 'h/r:1' }, r.decide)).resolves.toMatchObject({ allowed: true, reference: 'h/r:1' });
    expect(r.calls[0]?.caller?.identity).toMatch(/^lambda:invoke/);
  });
});
