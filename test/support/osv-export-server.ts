import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OsvRecord } from '../../lambdas/vuln/osv/types';
import { writeZip } from './zip-writer';

/**
 * A stand-in for osv.dev's export bucket on 127.0.0.1 (node:http): per ecosystem `all.zip`
 * (built from the records with our test zip writer), `modified_id.csv` (newest first) and
 * `<ID>.json`. `truncateNext(path, n)` cuts the body of the next n answers for a path in half,
 * as a dropped connection or a proxy error would.
 */
export class OsvExportServer {
  private readonly server = http.createServer((req, res) => this.answer(req, res));
  private readonly ecosystems = new Map<string, Map<string, OsvRecord>>();
  private readonly truncations = new Map<string, { times: number; how: 'cut' | 'short' }>();
  readonly requests: string[] = [];
  url = '';

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Adds or replaces records of an ecosystem directory. */
  publish(ecosystem: string, ...records: OsvRecord[]): void {
    const dir = this.ecosystems.get(ecosystem) ?? new Map<string, OsvRecord>();
    for (const r of records) dir.set(r.id, r);
    this.ecosystems.set(ecosystem, dir);
  }

  /** `cut`: the connection drops mid-body; `short`: a complete answer whose body is half the file. */
  truncateNext(path: string, times = 1, how: 'cut' | 'short' = 'cut'): void {
    this.truncations.set(path, { times, how });
  }

  private body(path: string): Buffer | undefined {
    const m = /^\/([^/]+)\/(.+)$/.exec(path);
    if (!m) return undefined;
    const dir = this.ecosystems.get(decodeURIComponent(m[1] as string));
    if (!dir) return undefined;
    const file = decodeURIComponent(m[2] as string);
    const records = [...dir.values()];
    if (file === 'all.zip') return writeZip(records.map((r) => ({ name: `${r.id}.json`, data: JSON.stringify(r) })));
    if (file === 'modified_id.csv') {
      const lines = records.sort((a, b) => Date.parse(b.modified) - Date.parse(a.modified)).map((r) => `${r.modified},${r.id}\n`);
      return Buffer.from(lines.join(''));
    }
    const record = dir.get(file.replace(/\.json$/, ''));
    return record ? Buffer.from(JSON.stringify(record)) : undefined;
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0] as string;
    this.requests.push(path);
    const body = this.body(path);
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    const cut = this.truncations.get(path);
    if (cut && cut.times > 0) {
      this.truncations.set(path, { ...cut, times: cut.times - 1 });
      const half = body.subarray(0, Math.floor(body.length / 2));
      if (cut.how === 'short') {
        res.writeHead(200, { 'content-length': String(half.length) }).end(half);
        return;
      }
      // The status and length promise the whole file; half of it arrives, then the connection ends.
      res.writeHead(200, { 'content-length': String(body.length) });
      res.write(half);
      res.destroy();
      return;
    }
    res.writeHead(200, { 'content-length': String(body.length) }).end(body);
  }
}
