import { UnavailableError } from '../core/errors';
import type { RegistryCredentials } from '../ports/registry-credentials';
import { isLoopbackRegistry } from './reference';
import { loginHint } from './registry-login';

export interface Challenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

/** Parses `WWW-Authenticate: Bearer realm="…",service="…",scope="…"` (RFC 7235 auth-params). */
export function parseChallenge(header: string): Challenge | undefined {
  const m = /^\s*([A-Za-z][A-Za-z0-9_-]*)\s*(.*)$/s.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?\s*/gy;
  const rest = m[2] ?? '';
  let p: RegExpExecArray | null;
  while ((p = re.exec(rest)) !== null && p[0].length > 0) {
    params[(p[1] as string).toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] ?? '');
  }
  return { scheme: (m[1] as string).toLowerCase(), params };
}

/** Credentials may go to a token realm over TLS, or over plain HTTP on this machine only. */
export function realmMayReceiveCredentials(realm: URL): boolean {
  return realm.protocol === 'https:' || (realm.protocol === 'http:' && isLoopbackRegistry(realm.host));
}

export function basicAuthorization(creds: RegistryCredentials): string {
  return `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
}

/**
 * Fetches a bearer token from the challenge's realm (distribution token spec). Accepts `token`
 * or `access_token`. Username/password, when we have them, go to the token server as Basic auth
 * on a GET; an identity token (docker's refresh token) is exchanged with an OAuth2 POST
 * (`grant_type=refresh_token`), as docker does. `registry` names the registry in errors.
 */
export async function fetchBearerToken(
  challenge: Challenge,
  scope: string,
  creds: RegistryCredentials | undefined,
  fetchImpl: typeof fetch,
  registry: string,
): Promise<{ token: string; expiresAt: number }> {
  const realm = challenge.params.realm;
  if (!realm) throw new UnavailableError('registry sent a Bearer challenge without a realm');
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    throw new UnavailableError(`registry sent a Bearer challenge with an invalid realm "${realm}"`);
  }
  // A realm is wherever the registry's 401 points. Over plain HTTP (a registry reached with
  // --insecure, or one that names an http:// realm) the password or refresh token would cross the
  // network in clear text to a host the registry chose: credentials go only to https:// realms
  // and to loopback ones (they never leave the machine); otherwise the token is asked anonymously.
  const withheld = creds !== undefined && !realmMayReceiveCredentials(url);
  if (withheld) creds = undefined;
  const scopes = (challenge.params.scope ?? scope).split(' ').filter(Boolean);
  const headers: Record<string, string> = { Accept: 'application/json' };
  let init: RequestInit;
  if (creds?.identityToken) {
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.identityToken, client_id: 'artifact-guard' });
    if (challenge.params.service) form.set('service', challenge.params.service);
    if (scopes.length > 0) form.set('scope', scopes.join(' '));
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    init = { method: 'POST', headers, body: form.toString() };
  } else {
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    for (const s of scopes) url.searchParams.append('scope', s);
    if (creds) headers.Authorization = basicAuthorization(creds);
    init = { headers };
  }
  let res: Response;
  try {
    res = await fetchImpl(url, { ...init, signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    throw new UnavailableError(`token server ${url.host} unreachable: ${(err as Error).message}`);
  }
  if (res.status === 401 || res.status === 403) {
    await res.body?.cancel();
    if (withheld) throw new UnavailableError(`token server ${url.host} wants credentials for ${registry}, and its realm ${url.origin} is plain HTTP: credentials are sent only to https:// (or loopback) realms`);
    const why = creds ? 'refused the credentials for' : 'wants credentials for';
    throw new UnavailableError(`token server ${url.host} ${why} ${registry}: HTTP ${res.status}: not authorized; log in with: ${loginHint(registry)}`);
  }
  if (!res.ok) throw new UnavailableError(`token server ${url.host} refused: HTTP ${res.status}`);
  let body: { token?: unknown; access_token?: unknown; expires_in?: unknown };
  try {
    body = (await res.json()) as typeof body;
  } catch {
    throw new UnavailableError(`token server ${url.host} returned malformed JSON`);
  }
  const token = typeof body.token === 'string' ? body.token : typeof body.access_token === 'string' ? body.access_token : undefined;
  if (!token) throw new UnavailableError(`token server ${url.host} returned no token`);
  const expiresIn = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 60;
  return { token, expiresAt: Date.now() + (expiresIn - 5) * 1000 };
}
