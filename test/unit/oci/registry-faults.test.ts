import { fetchBearerToken, parseChallenge } from '../../../lambdas/oci/auth';
import { UnavailableError } from '../../../lambdas/core/errors';

/** A token server: records what it was sent; answers 401 without credentials when `needsAuth`. */
function tokenServer(needsAuth: boolean) {
  const seen: { url: string; method: string; authorization?: string; body?: string }[] = [];
  const fetchImpl = (async (input: URL | string, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    const authorization = headers.get('authorization') ?? undefined;
    seen.push({ url: String(input), method: init?.method ?? 'GET', ...(authorization ? { authorization } : {}), ...(typeof init?.body === 'string' ? { body: init.body } : {}) });
    if (needsAuth && !authorization && typeof init?.body !== 'string') return new Response('{"errors":[{"code":"UNAUTHORIZED"}]}', { status: 401 });
    return Response.json({ token: 'tok', expires_in: 300 });
  }) as typeof fetch;
  return { seen, fetchImpl };
}

const creds = { username: 'ci', password: 's3cret' };
const challenge = (realm: string) => parseChallenge(`Bearer realm="${realm}",service="registry.example.com"`)!;

describe('Bearer realms and credentials', () => {
  it('sends Basic credentials to an https:// realm', async () => {
    const server = tokenServer(true);
    await fetchBearerToken(challenge('https://auth.example.com/token'), 'repository:app:pull', creds, server.fetchImpl, 'registry.example.com');
    expect(server.seen[0]?.authorization).toBe(`Basic ${Buffer.from('ci:s3cret').toString('base64')}`);
  });

  it('sends them to a loopback http:// realm (they never leave the machine)', async () => {
    const server = tokenServer(true);
    await fetchBearerToken(challenge('http://127.0.0.1:5001/token'), 'repository:app:pull', creds, server.fetchImpl, '127.0.0.1:5000');
    expect(server.seen[0]?.authorization).toMatch(/^Basic /);
  });

  it('never sends a password or refresh token to a plain-HTTP realm elsewhere: the token is asked anonymously', async () => {
    const open = tokenServer(false);
    expect((await fetchBearerToken(challenge('http://auth.example.com/token'), 'repository:app:pull', creds, open.fetchImpl, 'registry.example.com')).token).toBe('tok');
    expect(open.seen).toEqual([{ url: 'http://auth.example.com/token?service=registry.example.com&scope=repository%3Aapp%3Apull', method: 'GET' }]);
    const refresh = tokenServer(false);
    await fetchBearerToken(challenge('http://auth.example.com/token'), 'repository:app:pull', { username: '<token>', password: '', identityToken: 'refresh-me' }, refresh.fetchImpl, 'registry.example.com');
    expect(JSON.stringify(refresh.seen)).not.toContain('refresh-me');
  });

  it('says why when that anonymous request is refused', async () => {
    const server = tokenServer(true);
    const err = await fetchBearerToken(challenge('http://auth.example.com/token'), 'repository:app:pull', creds, server.fetchImpl, 'registry.example.com').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toBe('token server auth.example.com wants credentials for registry.example.com, and its realm http://auth.example.com is plain HTTP: credentials are sent only to https:// (or loopback) realms');
    expect(server.seen[0]?.authorization).toBeUndefined();
  });
});

describe('registry throttling', () => {
  it('429 (ECR TOOMANYREQUESTS) is transient and retried; another 4xx stays bad input', async () => {
    const { RegistryClient } = await import('../../../lambdas/oci/registry-client');
    const { BadInputError } = await import('../../../lambdas/core/errors');
    const answer = (status: number) =>
      (async () => new Response(JSON.stringify({ errors: [{ code: status === 429 ? 'TOOMANYREQUESTS' : 'MANIFEST_INVALID', message: 'x' }] }), { status })) as typeof fetch;
    const client = (status: number) => new RegistryClient({ registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com', fetch: answer(status) });
    await expect(client(429).getManifest('app', 'latest')).rejects.toBeInstanceOf(UnavailableError);
    await expect(client(429).getManifest('app', 'latest')).rejects.toThrow('HTTP 429 (TOOMANYREQUESTS x): the registry asks to slow down');
    await expect(client(400).getManifest('app', 'latest')).rejects.toBeInstanceOf(BadInputError);
  });
});
