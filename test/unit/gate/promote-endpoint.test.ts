/** The Promote Lambda's requests: the actor is the IAM principal the Function URL authenticated, never the body. */
import { BadInputError, UnavailableError } from '../../../lambdas/core/errors';
import { admissionDocuments } from '../../../lambdas/gate/admission-policies';
import { environmentsFrom } from '../../../lambdas/gate/environments';
import { servePromotion } from '../../../lambdas/gate/promote-endpoint';
import type { PromotionOutcome, PromotionRequest } from '../../../lambdas/gate/promotion';
import type { GateCaller } from '../../../lambdas/gate/verify-gate';
import { p256Key } from '../../support/test-keys';

const request = { reference: 'r.example/app@sha256:' + 'a'.repeat(64), target: 'r.example/app-prod:1.0', environment: 'prod' };
const urlEvent = (body: unknown, arn?: string) => ({ requestContext: { http: { method: 'POST' }, ...(arn ? { authorizer: { iam: { userArn: arn } } } : {}) }, body: JSON.stringify(body) });

function fake(result: (req: PromotionRequest) => PromotionOutcome | Error) {
  const calls: [PromotionRequest, GateCaller][] = [];
  const promote = async (req: PromotionRequest, caller: GateCaller) => {
    calls.push([req, caller]);
    const r = result(req);
    if (r instanceof Error) throw r;
    return r;
  };
  return { calls, promote };
}
const outcome = (promoted: boolean): PromotionOutcome => ({ promoted, source: 'r.example/app@sha256:…', target: 'r.example/app-prod', digest: 'sha256:…', environment: 'prod', actor: 'x', reasons: promoted ? [] : ['denied'] });

describe('servePromotion', () => {
  it('takes the actor from the authenticated principal: 200 promoted, 403 refused', async () => {
    const ok = fake(() => outcome(true));
    const arn = 'arn:aws:sts::111111111111:assumed-role/Promoter/alice';
    expect(await servePromotion(urlEvent({ ...request, actor: 'mallory' }, arn), ok.promote)).toMatchObject({ statusCode: 200 });
    expect(ok.calls[0]?.[1]).toEqual({ identity: arn });
    expect(ok.calls[0]?.[0]).toEqual(request);
    expect(await servePromotion(urlEvent(request, arn), fake(() => outcome(false)).promote)).toMatchObject({ statusCode: 403 });
  });

  it('400 on a bad request, 401 without an IAM identity, 502 when a dependency failed; a direct invoke returns the outcome', async () => {
    const arn = 'arn:aws:iam::111111111111:role/Promoter';
    expect(await servePromotion(urlEvent({ reference: 'x' }, arn), fake(() => outcome(true)).promote)).toMatchObject({ statusCode: 400, body: expect.stringContaining('needs') });
    expect(await servePromotion(urlEvent(request), fake(() => outcome(true)).promote)).toMatchObject({ statusCode: 401 });
    expect(await servePromotion(urlEvent(request, arn), fake(() => new BadInputError('not a repository of prod')).promote)).toMatchObject({ statusCode: 400 });
    expect(await servePromotion(urlEvent(request, arn), fake(() => new UnavailableError('registry unreachable')).promote)).toMatchObject({ statusCode: 502 });
    const direct = fake(() => outcome(true));
    expect(await servePromotion(request, direct.promote)).toMatchObject({ promoted: true });
    expect(direct.calls[0]?.[1].identity).toMatch(/^lambda:invoke/);
    await expect(servePromotion({ reference: 'x' }, direct.promote)).rejects.toThrow(/needs "target"/);
  });
});

describe('admissionDocuments (the stack publishes them to admission/<env>/)', () => {
  it('three documents and the registries.d entry per environment, the guarded repositories for one that names none', () => {
    const envs = environmentsFrom({ environments: { dev: { policy: {} }, prod: { policy: { attestations: ['vuln'] }, repositories: ['r.example/app-prod'] } } });
    const docs = admissionDocuments(envs.values(), p256Key().publicPem, ['r.example/app']);
    expect(docs.map((d) => d.key)).toEqual([
      'admission/dev/kyverno.json',
      'admission/dev/policy-controller.json',
      'admission/dev/policy.json',
      'admission/dev/registries.d.yaml',
      'admission/prod/kyverno.json',
      'admission/prod/policy-controller.json',
      'admission/prod/policy.json',
      'admission/prod/registries.d.yaml',
    ]);
    expect(docs.find((d) => d.key === 'admission/dev/policy.json')?.body).toContain('"r.example/app"');
    expect(docs.find((d) => d.key === 'admission/prod/kyverno.json')?.body).toContain('r.example/app-prod@*');
    expect(admissionDocuments(envs.values(), p256Key().publicPem, []).map((d) => d.key.split('/')[1])).not.toContain('dev');
  });
});
