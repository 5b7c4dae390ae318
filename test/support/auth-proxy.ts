import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A token-auth front for the test registry, speaking the distribution token protocol: requests
 * without a valid Bearer token get 401 + `WWW-Authenticate: Bearer realm=…/token`; /token wants
 * Basic user:pass on a GET, or an OAuth2 refresh token (docker's identity token) in a POST. Blob
 * GETs can be redirected to a second origin (like ECR → S3) that records the Authorization header
 * it received.
 */
export interface AuthProxy {
  readonly host: string;
  readonly tokenRequests: string[];
  readonly redirectedAuthHeaders: (string | undefined)[];
  close(): Promise<void>;
}

export async function startAuthProxy(opts: {
  upstream: string;
  username: string;
  password: string;
  redirectBlobs?: boolean;
  /** `basic`: challenge with Basic (as ECR does) and accept user:pass directly. @default 'bearer' */
  scheme?: 'basic' | 'bearer';
  /** Also accept this OAuth2 refresh token (docker's identity token) in a POST to /token. */
  identityToken?: string;
  /** Replace manifest responses for this path suffix with a body and content type. */
  fakeManifest?: { path: string; body: string; contentType: string };
}): Promise<AuthProxy> {
  const token = `tok-${Math.random().toString(36).slice(2)}`;
  const tokenRequests: string[] = [];
  const redirectedAuthHeaders: (string | undefined)[] = [];

  const blobHost = http.createServer((req, res) => {
    redirectedAuthHeaders.push(req.headers.authorization);
    const upstreamReq = http.request(`http://${opts.upstream}${req.url}`, { method: req.method }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstreamReq.end();
  });
  await new Promise<void>((r) => blobHost.listen(0, '127.0.0.1', r));
  const blobAddr = `127.0.0.1:${(blobHost.address() as AddressInfo).port}`;

  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (url.startsWith('/token') && req.method === 'POST') {
      const body: Buffer[] = [];
      req.on('data', (c: Buffer) => body.push(c));
      req.on('end', () => {
        const form = new URLSearchParams(Buffer.concat(body).toString());
        tokenRequests.push(`POST ${url} ${form.toString()}`);
        if (!opts.identityToken || form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== opts.identityToken) {
          res.writeHead(401).end();
          return;
        }
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ access_token: token, expires_in: 300 }));
      });
      return;
    }
    if (url.startsWith('/token')) {
      tokenRequests.push(url);
      const expected = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`;
      if (req.headers.authorization !== expected) {
        res.writeHead(401).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ access_token: token, expires_in: 300 }));
      return;
    }
    const basic = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`;
    if (opts.scheme === 'basic' && req.headers.authorization !== basic) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="https://123456789012.dkr.ecr.us-east-1.amazonaws.com/",service="ecr.amazonaws.com"' }).end();
      return;
    }
    if (opts.scheme !== 'basic' && req.headers.authorization !== `Bearer ${token}`) {
      const realm = `http://${server.address() && `127.0.0.1:${(server.address() as AddressInfo).port}`}/token`;
      const name = /^\/v2\/(.+?)\/(?:manifests|blobs|tags)\//.exec(url)?.[1];
      const scope = name ? `,scope="repository:${name}:${req.method === 'GET' || req.method === 'HEAD' ? 'pull' : 'pull,push'}"` : '';
      res
        .writeHead(401, { 'WWW-Authenticate': `Bearer realm="${realm}",service="test-registry"${scope}` })
        .end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
      return;
    }
    if (opts.fakeManifest && url.endsWith(opts.fakeManifest.path)) {
      res.writeHead(200, { 'Content-Type': opts.fakeManifest.contentType }).end(opts.fakeManifest.body);
      return;
    }
    if (opts.redirectBlobs && req.method === 'GET' && /\/blobs\/sha256:/.test(url)) {
      res.writeHead(307, { Location: `http://${blobAddr}${url}` }).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = { ...req.headers };
      delete headers.authorization;
      delete headers.host;
      const upstreamReq = http.request(`http://${opts.upstream}${url}`, { method: req.method, headers }, (up) => {
        const outHeaders = { ...up.headers };
        // rewrite upload locations to point at us
        if (typeof outHeaders.location === 'string') outHeaders.location = outHeaders.location.replace(`http://${opts.upstream}`, '');
        res.writeHead(up.statusCode ?? 502, outHeaders);
        up.pipe(res);
      });
      upstreamReq.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host,
    tokenRequests,
    redirectedAuthHeaders,
    close: async () => {
      await new Promise<void>((r) => server.close(() => r()));
      await new Promise<void>((r) => blobHost.close(() => r()));
    },
  };
}
