import { LineProgress, TtyProgress, formatBytes, progressDisplay } from '../../../lambdas/cli/progress-render';
import type { ProgressEvent } from '../../../lambdas/ports/progress';
import { observedFetch, redactUrl, startStage } from '../../../lambdas/ports/progress';

/** A stand-in for a terminal's stderr: what was written, and its width. */
function fakeStream(isTTY: boolean, columns = 200) {
  const writes: string[] = [];
  return { writes, text: () => writes.join(''), isTTY, columns, write: (t: string) => void writes.push(t) };
}

/** A clock the test moves. */
function clock() {
  let t = 1_000_000;
  return { now: () => t, tick: (ms: number) => void (t += ms) };
}

describe('TtyProgress: one line rewritten in place', () => {
  it('draws with carriage returns (no newline) while a stage runs, then leaves its final line and a newline', () => {
    const out = fakeStream(true);
    const c = clock();
    const p = new TtyProgress(out, false, c.now, 100);
    const stage = startStage(p, 'sbom', 'cataloging sha256:abc', { unit: 'layers', total: 2, totalBytes: 4 * 1048576 });
    expect(out.writes).toEqual(['\rsbom: cataloging sha256:abc 0/2 layers, 0 B/4.0 MB\x1b[K']);

    stage.advance({ note: 'reading layer sha256:1 (2.0 MB, gzip)' }); // notes are for logs: not drawn
    c.tick(10);
    stage.advance({ bytes: 1048576 }); // within the redraw interval: nothing drawn
    expect(out.writes).toHaveLength(1);
    c.tick(990);
    stage.advance({ bytes: 1048576, done: 1 });
    expect(out.writes[1]).toBe('\rsbom: cataloging sha256:abc 1/2 layers, 2.0 MB/4.0 MB, 2.0 MB/s, ETA 1.0 s\x1b[K');

    c.tick(1000);
    stage.advance({ bytes: 2 * 1048576, done: 1 });
    stage.finish('12 components');
    const last = out.writes.at(-1) as string;
    expect(last).toBe('\rsbom: cataloging sha256:abc: 12 components, 2/2 layers, 4.0 MB/4.0 MB in 2.0 s\x1b[K\n');
    // Only the finished stage's line ends with a newline; everything before it is redrawn in place.
    expect(out.text().split('\n')).toHaveLength(2);
    expect(out.writes.slice(0, -1).every((w) => w.startsWith('\r') && !w.includes('\n'))).toBe(true);
    expect(out.text().endsWith('\n')).toBe(true);
  });

  it('prints warnings (and, with -v, requests) above the line, then redraws it; end() closes an unfinished line', () => {
    const out = fakeStream(true);
    const c = clock();
    const p = new TtyProgress(out, true, c.now);
    startStage(p, 'osv', 'loading OSV records from all.zip', { unit: 'entries', total: 10 });
    p.print('warning: something');
    p.emit({ kind: 'request', service: 'osv-api', method: 'POST', url: 'https://api.osv.dev/v1/querybatch', status: 200, ms: 12.4 });
    p.end();
    expect(out.writes).toEqual([
      '\rosv: loading OSV records from all.zip 0/10 entries\x1b[K',
      '\r\x1b[Kwarning: something\n',
      '\rosv: loading OSV records from all.zip 0/10 entries\x1b[K',
      '\r\x1b[Kosv-api: POST https://api.osv.dev/v1/querybatch 200 12 ms\n',
      '\rosv: loading OSV records from all.zip 0/10 entries\x1b[K',
      '\n',
    ]);
  });

  it('fits the terminal width so that \\r returns to its start: digests shortened, then the description cut, never the counts', () => {
    const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;
    const wide = fakeStream(true, 80);
    startStage(new TtyProgress(wide, false, clock().now), 'sbom', `cataloging ${digest}`, { unit: 'layers', total: 3 });
    expect(wide.writes[0]).toBe('\rsbom: cataloging sha256:0123456789ab… 0/3 layers\x1b[K');
    const narrow = fakeStream(true, 30);
    startStage(new TtyProgress(narrow, false, clock().now), 'sbom', `cataloging ${digest}`, { unit: 'layers', total: 3 });
    expect(narrow.writes[0]).toBe('\rsbom: cataloging … 0/3 layers\x1b[K');
    expect((narrow.writes[0] as string).length - '\r\x1b[K'.length).toBeLessThan(30);
  });

  it('shows the stage started last while an earlier one is still open', () => {
    const out = fakeStream(true);
    const c = clock();
    const p = new TtyProgress(out, false, c.now);
    const outer = startStage(p, 'sign', 'pushing signatures', { unit: 'manifests', total: 2 });
    const inner = startStage(p, 'osv', 'indexing');
    inner.finish();
    expect(out.writes.slice(1)).toEqual(['\rosv: indexing\x1b[K', '\rosv: indexing: done in 0 ms\x1b[K\n', '\rsign: pushing signatures 0/2 manifests\x1b[K']);
    outer.finish();
  });
});

describe('LineProgress: one line per stage for logs', () => {
  const events = (p: LineProgress): void => {
    const s = startStage(p, 'sbom', 'cataloging sha256:abc', { unit: 'layers', total: 1, totalBytes: 2048 });
    s.advance({ note: 'reading layer sha256:1 (0.0 MB, gzip)' });
    s.advance({ bytes: 2048, done: 1 });
    s.finish('3 components');
    const minor = startStage(p, 'sign', 'pushing signatures', { unit: 'manifests', total: 1, minor: true });
    minor.advance({ done: 1 });
    minor.finish();
    p.emit({ kind: 'request', service: 'registry', method: 'GET', url: 'http://127.0.0.1:5000/v2/app/manifests/v1', status: 200, ms: 3 });
  };

  it('the stage, its logged items; not minor stages, requests or timings', () => {
    const out = fakeStream(false);
    events(new LineProgress(out, false, clock().now));
    expect(out.text()).toBe('sbom: cataloging sha256:abc (1 layers, 2.0 kB)\nsbom: reading layer sha256:1 (0.0 MB, gzip)\n');
    expect(out.text()).not.toContain('\r');
  });

  it('-v: also every stage with its timing and every request', () => {
    const out = fakeStream(false);
    events(new LineProgress(out, true, clock().now));
    expect(out.text().split('\n')).toEqual([
      'sbom: cataloging sha256:abc (1 layers, 2.0 kB)',
      'sbom: reading layer sha256:1 (0.0 MB, gzip)',
      'sbom: 3 components: 1/1 layers, 2.0 kB/2.0 kB in 0 ms',
      'sign: pushing signatures (1 manifests)',
      'sign: done: 1/1 manifests in 0 ms',
      'registry: GET http://127.0.0.1:5000/v2/app/manifests/v1 200 3 ms',
      '',
    ]);
  });
});

describe('progressDisplay: the flags and the stream decide', () => {
  it('a TTY gets the updating line, anything else line mode; -q nothing but printed lines; -q with -v is refused', () => {
    expect(progressDisplay({}, fakeStream(true))).toBeInstanceOf(TtyProgress);
    expect(progressDisplay({ debug: true }, fakeStream(false))).toBeInstanceOf(LineProgress);
    const out = fakeStream(true);
    const quiet = progressDisplay({ quiet: true }, out);
    startStage(quiet, 'sbom', 'cataloging').finish();
    quiet.print('warning: still shown');
    quiet.end();
    expect(out.text()).toBe('warning: still shown\n');
    expect(() => progressDisplay({ quiet: true, verbose: true }, out)).toThrow('-q and -v are opposites: give one');
  });

  it('formats sizes the way the layer lines always have (MiB as MB)', () => {
    expect([formatBytes(512), formatBytes(2048), formatBytes(5 * 1048576), formatBytes(3 * 1024 ** 3)]).toEqual(['512 B', '2.0 kB', '5.0 MB', '3.0 GB']);
  });
});

describe('request events never carry secrets', () => {
  it('redactUrl drops user and password and every query value not known to be harmless', () => {
    expect(redactUrl('https://ci:s3cret@registry.example.com/v2/app/manifests/v1')).toBe('https://registry.example.com/v2/app/manifests/v1');
    expect(redactUrl('http://127.0.0.1:5000/token?service=test-registry&scope=repository%3Aapp%3Apull')).toBe('http://127.0.0.1:5000/token?service=test-registry&scope=repository%3Aapp%3Apull');
    expect(
      redactUrl('https://bucket.s3.amazonaws.com/blob?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20260101&X-Amz-Security-Token=FwoG&X-Amz-Signature=abcdef&digest=sha256%3A00'),
    ).toBe('https://bucket.s3.amazonaws.com/blob?X-Amz-Algorithm=REDACTED&X-Amz-Credential=REDACTED&X-Amz-Security-Token=REDACTED&X-Amz-Signature=REDACTED&digest=sha256%3A00');
    expect(redactUrl('/v2/x/blobs/uploads/abc?_state=opaque&digest=sha256:1')).toBe('/v2/x/blobs/uploads/abc?REDACTED');
  });

  it('observedFetch reports method, redacted URL, status and time, never headers', async () => {
    const events: ProgressEvent[] = [];
    const fetchImpl = (async () => new Response('{}', { status: 201 })) as typeof fetch;
    const f = observedFetch(fetchImpl, { emit: (e) => events.push(e) }, 'registry');
    await f('https://u:pw@r.example/v2/a/manifests/v1?token=abc', { method: 'PUT', headers: { Authorization: 'Bearer abc' } });
    const failing = observedFetch((async () => Promise.reject(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }))) as typeof fetch, { emit: (e) => events.push(e) }, 'osv-api');
    await expect(failing('https://api.osv.dev/v1/vulns/X')).rejects.toThrow('fetch failed');
    expect(events).toEqual([
      { kind: 'request', service: 'registry', method: 'PUT', url: 'https://r.example/v2/a/manifests/v1?token=REDACTED', status: 201, ms: expect.any(Number) },
      { kind: 'request', service: 'osv-api', method: 'GET', url: 'https://api.osv.dev/v1/vulns/X', status: 'ECONNREFUSED', ms: expect.any(Number) },
    ]);
    expect(JSON.stringify(events)).not.toMatch(/abc|pw|Bearer/);
  });
});
