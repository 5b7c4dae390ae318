/**
 * A minimal `inspector2:ListFindings` client: the REST-JSON call (`POST /findings/list` on
 * `inspector2.<region>.amazonaws.com`) signed with SigV4 by Smithy's signer, credentials from the
 * SDK's default chain (the Lambda's role). The project does not depend on
 * `@aws-sdk/client-inspector2` yet; with it, this file becomes `new Inspector2Client({}).send(new
 * ListFindingsCommand(input))` and nothing else changes.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { UnavailableError } from '../../core/errors';
import type { Inspector2Client, ListFindingsInput, ListFindingsOutput } from './inspector-opinions';

type Bytes = string | ArrayBuffer | ArrayBufferView;

/** SHA-256 and HMAC-SHA256 from node:crypto, in the shape the signer asks for. */
class NodeSha256 {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: Bytes) {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    if (this.secret === undefined) return createHash('sha256');
    return createHmac('sha256', typeof this.secret === 'string' ? this.secret : Buffer.from(this.secret instanceof ArrayBuffer ? new Uint8Array(this.secret) : new Uint8Array(this.secret.buffer, this.secret.byteOffset, this.secret.byteLength)));
  }
  update(data: Bytes): void {
    this.hash.update(typeof data === 'string' ? data : data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

export interface HttpInspector2Options {
  readonly region: string;
  /** For tests: another endpoint (a local server). @default https://inspector2.<region>.amazonaws.com */
  readonly endpoint?: string;
  readonly credentials?: ConstructorParameters<typeof SignatureV4>[0]['credentials'];
  readonly fetch?: typeof fetch;
}

export function httpInspector2Client(opts: HttpInspector2Options): Inspector2Client {
  const endpoint = new URL(opts.endpoint ?? `https://inspector2.${opts.region}.amazonaws.com`);
  const signer = new SignatureV4({ service: 'inspector2', region: opts.region, credentials: opts.credentials ?? defaultProvider(), sha256: NodeSha256 });
  const doFetch = opts.fetch ?? fetch;
  return {
    async listFindings(input: ListFindingsInput): Promise<ListFindingsOutput> {
      const body = JSON.stringify(input);
      const signed = await signer.sign({
        method: 'POST',
        protocol: endpoint.protocol,
        hostname: endpoint.hostname,
        ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
        path: '/findings/list',
        headers: { host: endpoint.host, 'content-type': 'application/json' },
        body,
      });
      const res = await doFetch(new URL('/findings/list', endpoint), { method: 'POST', headers: signed.headers, body });
      const text = await res.text();
      if (!res.ok) {
        const type = res.headers.get('x-amzn-errortype')?.split(':')[0] ?? `HTTP ${res.status}`;
        let message = text.slice(0, 200);
        try {
          message = (JSON.parse(text) as { message?: string }).message ?? message;
        } catch {
          // not JSON: keep the start of the body
        }
        throw new UnavailableError(`inspector2:ListFindings: ${type}: ${message}`);
      }
      try {
        return JSON.parse(text) as ListFindingsOutput;
      } catch {
        throw new UnavailableError('inspector2:ListFindings: the response is not JSON');
      }
    },
  };
}
