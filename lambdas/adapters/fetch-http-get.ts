import type { HttpGet, HttpResponse } from '../ports/http-get';

/** HttpGet over Node's fetch, with a whole-request timeout (an export is tens of MB at most). */
export class FetchHttpGet implements HttpGet {
  constructor(private readonly timeoutMs = 300_000) {}

  async get(url: string): Promise<HttpResponse> {
    const res = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
    // A connection cut mid-body rejects here, which the caller retries.
    const body = Buffer.from(await res.arrayBuffer());
    return { status: res.status, body };
  }
}
