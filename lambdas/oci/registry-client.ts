import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { BadInputError, NotFoundError, UnavailableError } from '../core/errors';
import type { Progress } from '../ports/progress';
import { observedFetch } from '../ports/progress';
import type { RegistryCredentialProvider, RegistryCredentials } from '../ports/registry-credentials';
import { anonymous } from '../ports/registry-credentials';
import { basicAuthorization, fetchBearerToken, parseChallenge } from './auth';
import { assertDigest, DigestVerifier, digestOf, verifyBytes } from './digest';
import type { Descriptor, FetchedManifest } from './manifest';
import { MAX_MANIFEST_BYTES, parseManifest } from './manifest';
import { MANIFEST_ACCEPT, MediaType } from './media-types';
import { apiHost, isLoopbackRegistry } from './reference';
import { loginHint } from './registry-login';

export interface RegistryClientOptions {
  readonly registry: string;
  readonly credentials?: RegistryCredentialProvider;
  /** Allow plain HTTP to a non-loopback registry. */
  readonly insecure?: boolean;
  readonly fetch?: typeof fetch;
  /** Per-request timeout for everything but blob bodies (ms). @default 30000 */
  readonly timeoutMs?: number;
  /** Reports every HTTP exchange (token requests and redirects included), its URL redacted. */
  readonly progress?: Progress;
}

type Access = 'pull' | 'pull,push';
const MAX_REDIRECTS = 5;

/**
 * OCI distribution client: manifests and blobs by digest, checked against their digests,
 * with anonymous, Basic and Bearer-challenge auth. Redirects (ECR → S3) are followed by hand so
 * that Authorization never leaves the registry's origin.
 */
export class RegistryClient {
  readonly registry: string;
  private readonly base: string;
  private readonly fetchImpl: typeof fetch;
  private readonly credentials: RegistryCredentialProvider;
  private readonly timeoutMs: number;
  private creds: Promise<RegistryCredentials | undefined> | undefined;
  private readonly authByScope = new Map<string, { header: string; expiresAt: number }>();
  /** Whether the last challenge was answered with credentials (for the 401 message). */
  private answeredWithCredentials = false;

  constructor(opts: RegistryClientOptions) {
    this.registry = opts.registry;
    const scheme = isLoopbackRegistry(opts.registry) || opts.insecure ? 'http' : 'https';
    this.base = `${scheme}://${apiHost(opts.registry)}`;
    this.fetchImpl = opts.progress ? observedFetch(opts.fetch ?? fetch, opts.progress, 'registry') : (opts.fetch ?? fetch);
    this.credentials = opts.credentials ?? anonymous;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
  }

  async getManifest(repository: string, reference: string, accept: readonly string[] = MANIFEST_ACCEPT): Promise<FetchedManifest> {
    const res = await this.request(repository, 'pull', `/v2/${repository}/manifests/${reference}`, {
      headers: { Accept: accept.join(', ') },
    });
    if (res.status === 404) throw new NotFoundError(`manifest ${this.registry}/${repository}:${reference} not found`);
    await this.expectOk(res, `GET manifest ${repository}:${reference}`);
    const bytes = await readCapped(res, MAX_MANIFEST_BYTES, `manifest ${repository}:${reference}`);
    const digest = reference.includes(':') ? reference : digestOf(bytes);
    if (reference.includes(':')) verifyBytes(bytes, assertDigest(reference), `manifest ${repository}@${reference}`);
    const header = res.headers.get('docker-content-digest');
    if (header && header.startsWith('sha256:') && digest.startsWith('sha256:') && header !== digest) {
      throw new BadInputError(`registry says manifest ${repository}:${reference} is ${header}, content is ${digest}`);
    }
    const { manifest, mediaType } = parseManifest(bytes, res.headers.get('content-type') ?? undefined);
    return { bytes, digest, mediaType, manifest };
  }

  /**
   * OCI 1.1 referrers of a manifest (`GET /v2/<name>/referrers/<digest>`, all pages), or
   * undefined when the registry does not serve the API and clients must use the referrers tag
   * schema: go-containerregistry's rule (404, 400, 405, 406, or a 200 that is not an OCI index).
   */
  async getReferrers(repository: string, digest: string): Promise<Descriptor[] | undefined> {
    const out: Descriptor[] = [];
    let path: string | undefined = `/v2/${repository}/referrers/${assertDigest(digest)}`;
    while (path) {
      const res = await this.request(repository, 'pull', path, { headers: { Accept: MediaType.ociIndex } });
      const type = res.headers.get('content-type')?.split(';')[0]?.trim();
      if ([400, 404, 405, 406].includes(res.status) || (res.ok && type !== MediaType.ociIndex)) {
        await res.body?.cancel();
        return undefined;
      }
      await this.expectOk(res, `GET referrers of ${repository}@${digest}`);
      const { manifest } = parseManifest(await readCapped(res, MAX_MANIFEST_BYTES, `referrers of ${repository}@${digest}`), MediaType.ociIndex);
      if (manifest.kind !== 'index') return undefined;
      out.push(...manifest.manifests);
      const link = res.headers.get('link');
      path = link ? /<([^>]+)>;\s*rel="?next"?/.exec(link)?.[1] : undefined;
    }
    return out;
  }

  /** Digest and media type of a manifest, or undefined when it does not exist. */
  async headManifest(repository: string, reference: string): Promise<{ digest: string; mediaType: string; size: number } | undefined> {
    const res = await this.request(repository, 'pull', `/v2/${repository}/manifests/${reference}`, {
      method: 'HEAD',
      headers: { Accept: MANIFEST_ACCEPT.join(', ') },
    });
    if (res.status === 404) return undefined;
    await this.expectOk(res, `HEAD manifest ${repository}:${reference}`);
    const digest = res.headers.get('docker-content-digest');
    if (!digest) {
      // Older registries may omit the header: fall back to a GET, which we can hash.
      const m = await this.getManifest(repository, reference);
      return { digest: m.digest, mediaType: m.mediaType, size: m.bytes.length };
    }
    return { digest: assertDigest(digest), mediaType: res.headers.get('content-type') ?? '', size: Number(res.headers.get('content-length') ?? 0) };
  }

  /** A blob as a stream that errors (instead of ending) when content and digest disagree. */
  async openBlob(repository: string, desc: Pick<Descriptor, 'digest' | 'size'>): Promise<Readable> {
    const res = await this.request(repository, 'pull', `/v2/${repository}/blobs/${assertDigest(desc.digest)}`, { noTimeout: true });
    if (res.status === 404) throw new NotFoundError(`blob ${desc.digest} not found in ${this.registry}/${repository}`);
    await this.expectOk(res, `GET blob ${desc.digest}`);
    if (!res.body) throw new UnavailableError(`GET blob ${desc.digest}: empty response`);
    const body = Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
    const verifier = new DigestVerifier(desc.digest, desc.size, `blob ${desc.digest}`);
    body.on('error', (err) => verifier.destroy(err));
    return body.pipe(verifier);
  }

  async readBlob(repository: string, desc: Pick<Descriptor, 'digest' | 'size'>, maxBytes: number): Promise<Buffer> {
    if (desc.size > maxBytes) throw new BadInputError(`blob ${desc.digest} is ${desc.size} bytes, more than the ${maxBytes} allowed`);
    const res = await this.request(repository, 'pull', `/v2/${repository}/blobs/${assertDigest(desc.digest)}`, {});
    if (res.status === 404) throw new NotFoundError(`blob ${desc.digest} not found in ${this.registry}/${repository}`);
    await this.expectOk(res, `GET blob ${desc.digest}`);
    const bytes = await readCapped(res, maxBytes, `blob ${desc.digest}`);
    verifyBytes(bytes, desc.digest, `blob ${desc.digest}`);
    return bytes;
  }

  async blobExists(repository: string, digest: string): Promise<boolean> {
    const res = await this.request(repository, 'pull', `/v2/${repository}/blobs/${assertDigest(digest)}`, { method: 'HEAD' });
    if (res.status === 404) return false;
    await this.expectOk(res, `HEAD blob ${digest}`);
    return true;
  }

  /** Monolithic upload (POST then PUT); skipped when the registry already has the blob. */
  async pushBlob(repository: string, bytes: Buffer): Promise<{ digest: string; size: number }> {
    const digest = digestOf(bytes);
    if (!(await this.blobExists(repository, digest))) {
      const start = await this.request(repository, 'pull,push', `/v2/${repository}/blobs/uploads/`, { method: 'POST' });
      if (start.status !== 202) await this.expectOk(start, `start upload to ${repository}`, 202);
      const location = start.headers.get('location');
      if (!location) throw new UnavailableError(`registry gave no upload location for ${repository}`);
      const url = new URL(location, this.base);
      url.searchParams.set('digest', digest);
      const put = await this.request(repository, 'pull,push', url.toString(), {
        method: 'PUT',
        headers: { 'Content-Type': 'application/octet-stream' },
        body: bytes,
      });
      await this.expectOk(put, `upload blob ${digest}`, 201);
    }
    return { digest, size: bytes.length };
  }

  /**
   * Cross-repository mount (`POST …/blobs/uploads/?mount=D&from=R`): true when the registry linked
   * the blob into `repository` without a copy (201); false when it declined (202 opens an upload
   * session, which is cancelled) or does not know the source. Same registry only.
   */
  async mountBlob(repository: string, digest: string, fromRepository: string): Promise<boolean> {
    const path = `/v2/${repository}/blobs/uploads/?mount=${encodeURIComponent(assertDigest(digest))}&from=${encodeURIComponent(fromRepository)}`;
    const res = await this.request(repository, 'pull,push', path, { method: 'POST' });
    await res.body?.cancel();
    if (res.status === 201) return true;
    if (res.status === 202) {
      const location = res.headers.get('location');
      if (location) await (await this.request(repository, 'pull,push', new URL(location, this.base).toString(), { method: 'DELETE' })).body?.cancel();
      return false;
    }
    await this.expectOk(res, `mount blob ${digest} into ${repository}`, 201);
    return false;
  }

  /**
   * Monolithic upload of a blob streamed from elsewhere (POST then one PUT with the body), never
   * held whole in memory; the registry checks the digest it is given against what arrives.
   */
  async pushBlobStream(repository: string, desc: Pick<Descriptor, 'digest' | 'size'>, body: Readable): Promise<void> {
    const start = await this.request(repository, 'pull,push', `/v2/${repository}/blobs/uploads/`, { method: 'POST' });
    if (start.status !== 202) await this.expectOk(start, `start upload to ${repository}`, 202);
    const location = start.headers.get('location');
    if (!location) throw new UnavailableError(`registry gave no upload location for ${repository}`);
    const url = new URL(location, this.base);
    url.searchParams.set('digest', assertDigest(desc.digest));
    // The POST answered the challenge for this scope: the PUT (whose body cannot be sent twice) reuses it.
    const put = await this.request(repository, 'pull,push', url.toString(), {
      method: 'PUT',
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(desc.size) },
      body,
      noTimeout: true,
    });
    await this.expectOk(put, `upload blob ${desc.digest}`, 201);
  }

  async putManifest(repository: string, reference: string, bytes: Buffer, mediaType: string): Promise<string> {
    const res = await this.request(repository, 'pull,push', `/v2/${repository}/manifests/${reference}`, {
      method: 'PUT',
      headers: { 'Content-Type': mediaType },
      body: bytes,
    });
    await this.expectOk(res, `PUT manifest ${repository}:${reference}`, 201);
    return digestOf(bytes);
  }

  async listTags(repository: string): Promise<string[]> {
    const tags: string[] = [];
    let path: string | undefined = `/v2/${repository}/tags/list?n=1000`;
    while (path) {
      const res = await this.request(repository, 'pull', path, {});
      if (res.status === 404) return tags;
      await this.expectOk(res, `list tags of ${repository}`);
      const body = (await res.json()) as { tags?: unknown };
      if (Array.isArray(body.tags)) tags.push(...body.tags.filter((t): t is string => typeof t === 'string'));
      const link = res.headers.get('link');
      const next = link ? /<([^>]+)>;\s*rel="?next"?/.exec(link)?.[1] : undefined;
      path = next;
    }
    return tags;
  }

  private async expectOk(res: Response, what: string, status = 200): Promise<void> {
    if (res.status === status || (status === 200 && res.ok) || (status === 201 && res.ok)) return;
    let detail = '';
    try {
      const text = (await res.text()).slice(0, 300);
      const parsed = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
      detail = parsed.errors?.map((e) => `${e.code ?? ''} ${e.message ?? ''}`.trim()).join('; ') ?? text;
    } catch {
      // not a distribution error body
    }
    const msg = `${what} on ${this.registry}: HTTP ${res.status}${detail ? ` (${detail})` : ''}`;
    if (res.status === 401 || res.status === 403) {
      const why = res.status === 403 ? 'access denied' : this.answeredWithCredentials ? 'the credentials were refused' : 'no credentials found';
      throw new UnavailableError(`${msg}: not authorized (${why}); log in with: ${loginHint(this.registry)}`);
    }
    // 429 (ECR's TOOMANYREQUESTS, Docker Hub's pull limit) and 408 clear with time: retried.
    if (res.status === 429 || res.status === 408) throw new UnavailableError(`${msg}: the registry asks to slow down`);
    if (res.status >= 400 && res.status < 500) throw new BadInputError(msg);
    throw new UnavailableError(msg);
  }

  private credentialsOnce(): Promise<RegistryCredentials | undefined> {
    this.creds ??= this.credentials.credentialsFor(this.registry);
    return this.creds;
  }

  /** Sends a request, answering one 401 challenge (Basic or Bearer) and following redirects. */
  private async request(
    repository: string,
    access: Access,
    pathOrUrl: string,
    init: { method?: string; headers?: Record<string, string>; body?: Buffer | Readable; noTimeout?: boolean },
  ): Promise<Response> {
    const scope = `repository:${repository}:${access}`;
    const cached = this.authByScope.get(scope);
    const auth = cached && cached.expiresAt > Date.now() ? cached.header : undefined;
    let res = await this.send(pathOrUrl, init, auth);
    // A streamed body is gone once sent: a challenge then is an error, not a retry.
    if (res.status === 401 && !(init.body instanceof Readable)) {
      const header = await this.answerChallenge(res, scope);
      if (header) {
        await res.body?.cancel();
        res = await this.send(pathOrUrl, init, header);
      }
    }
    return res;
  }

  private async answerChallenge(res: Response, scope: string): Promise<string | undefined> {
    const challenge = parseChallenge(res.headers.get('www-authenticate') ?? '');
    const creds = await this.credentialsOnce();
    this.answeredWithCredentials = creds !== undefined;
    if (challenge?.scheme === 'bearer') {
      const { token, expiresAt } = await fetchBearerToken(challenge, scope, creds, this.fetchImpl, this.registry);
      const header = `Bearer ${token}`;
      this.authByScope.set(scope, { header, expiresAt });
      return header;
    }
    if (challenge?.scheme === 'basic' && creds && !creds.identityToken) {
      const header = basicAuthorization(creds);
      this.authByScope.set(scope, { header, expiresAt: Number.MAX_SAFE_INTEGER });
      return header;
    }
    return undefined;
  }

  private async send(
    pathOrUrl: string,
    init: { method?: string; headers?: Record<string, string>; body?: Buffer | Readable; noTimeout?: boolean },
    authorization: string | undefined,
  ): Promise<Response> {
    let url = new URL(pathOrUrl, this.base);
    const origin = new URL(this.base).origin;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const headers: Record<string, string> = { 'User-Agent': 'artifact-guard', ...(init.headers ?? {}) };
      // distribution-spec: never forward credentials to another host (ECR redirects blobs to S3).
      if (authorization && url.origin === origin) headers.Authorization = authorization;
      let res: Response;
      try {
        res = await this.fetchImpl(url, {
          method: init.method ?? 'GET',
          headers,
          body: init.body,
          // A stream body (a blob copied between registries) is sent as it is read.
          ...(init.body instanceof Readable ? { duplex: 'half' } : {}),
          redirect: 'manual',
          ...(init.noTimeout ? {} : { signal: AbortSignal.timeout(this.timeoutMs) }),
        });
      } catch (err) {
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        throw new UnavailableError(`registry ${this.registry} unreachable: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
      }
      if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
        await res.body?.cancel();
        url = new URL(res.headers.get('location') as string, url);
        if (init.method === 'PUT' || init.method === 'POST') return res;
        continue;
      }
      return res;
    }
    throw new UnavailableError(`registry ${this.registry}: more than ${MAX_REDIRECTS} redirects`);
  }
}

async function readCapped(res: Response, max: number, what: string): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > max) {
    await res.body?.cancel();
    throw new BadInputError(`${what} is ${declared} bytes, more than the ${max} allowed`);
  }
  if (!res.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > max) {
      await res.body.cancel().catch(() => undefined);
      throw new BadInputError(`${what} is more than the ${max} bytes allowed`);
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

export const EMPTY_CONFIG = { mediaType: MediaType.ociEmpty, bytes: Buffer.from('{}') };
