import { DynamoDbLedgerStore } from '../../../lambdas/adapters/aws/dynamodb-ledger-store';
import { DynamoDbRecordStore } from '../../../lambdas/adapters/aws/dynamodb-record-store';
import { buildRecordOf, parseBuildReport } from '../../../lambdas/ledger/build-report';
import { createBuildRecorder } from '../../../lambdas/ledger/build-recorder';
import { loadHistory } from '../../../lambdas/ledger/history';
import { historyHtml } from '../../../lambdas/ledger/history-html';
import { createPusherRecorder } from '../../../lambdas/ledger/pusher';
import { startLocalDynamo } from '../../../lambdas/local/dynalite-server';
import { InMemoryMetrics } from '../../../lambdas/ports/metrics';
import { createRecordStep } from '../../../lambdas/workflow/steps/record';
import { byId, elements, parseHtml, textOf } from '../../support/html-tree';
import { artifact, DIGEST, OTHER_DIGEST, REPO, sbom, scan, signing, state } from '../workflow/states';

/**
 * The page as written, checked with a strict reader (the unit project runs no browser):
 * well-formed, self-contained, and the key facts where a reader looks for them. Headless
 * Chromium renders it in test/integration/history-html.tools.test.ts.
 */
describe('history -o html', () => {
  let html: string;
  beforeAll(async () => {
    const dynamo = await startLocalDynamo();
    try {
      const records = new DynamoDbRecordStore(dynamo.client, dynamo.tableName);
      const ledger = new DynamoDbLedgerStore(dynamo.client, dynamo.tableName);
      const metrics = new InMemoryMetrics();
      const alerts = { publish: async () => undefined };
      await createBuildRecorder({ records, ledger, alerts, metrics })(
        buildRecordOf(parseBuildReport({ status: 'succeeded', commit: 'd3adb33f', source: 'https://git.example/shop/api', buildId: '812', pipeline: 'shop-api', author: 'ana <ana@example.com>', digests: [DIGEST] }), '2026-03-01T08:58:00.000Z', 'local:ana'),
      );
      await createPusherRecorder({ records, ledger })({ repositoryName: REPO, digest: DIGEST, principal: 'arn:aws:sts::123456789012:assumed-role/ci/gha-812', account: '123456789012', sourceIp: '203.0.113.7', time: '2026-03-01T08:59:58.000Z', eventId: 'ct-1' });
      const record = createRecordStep({ records, ledger, metrics, now: () => new Date('2026-03-01T09:05:00Z') });
      await record(state({ sbom, scan: scan({ verdict: 'fail', counts: { none: 0, unknown: 0, info: 0, low: 1, medium: 2, high: 3, critical: 1 } }), signing: { ...signing, signed: false, reason: 'findings at or above high' } }));
      await record(state({ artifact: artifact({ digest: OTHER_DIGEST, trigger: { type: 'ecr-push', id: 'evt-2', time: '2026-03-02T10:00:00.000Z' } }) }));
      await records.appendEvent(REPO, DIGEST, { id: 'g1', time: '2026-03-03T12:00:00.000Z', type: 'GateDecision', detail: { allowed: false, environment: 'prod', caller: 'arn:aws:iam::123456789012:role/deployer' } });
      html = historyHtml(await loadHistory({ records, ledger }, REPO, DIGEST), '2026-03-04T00:00:00.000Z');
    } finally {
      await dynamo.close();
    }
  });

  it('is one well-formed page that loads nothing: no script, no external reference, a CSP that forbids both', () => {
    const doc = parseHtml(html);
    const all = elements(doc);
    expect(all.filter((e) => ['script', 'link', 'img', 'iframe', 'object'].includes(e.tag))).toEqual([]);
    expect(all.flatMap((e) => [e.attributes.src, e.attributes.href]).filter(Boolean)).toEqual([]);
    expect(html).not.toMatch(/url\(|@import|https?:\/\/(?!git\.example)/);
    expect(all.find((e) => e.tag === 'meta' && e.attributes['http-equiv'] === 'Content-Security-Policy')?.attributes.content).toBe("default-src 'none'; style-src 'unsafe-inline'");
  });

  it('shows the provenance chain in order with each link\'s state', () => {
    const chain = byId(parseHtml(html), 'chain');
    const links = elements(chain ?? { tag: 'x', attributes: {}, children: [] }).filter((e) => e.attributes['data-step']);
    expect(links.map((l) => [l.attributes['data-step'], l.attributes['data-state']])).toEqual([
      ['commit', 'ok'],
      ['build', 'ok'],
      ['push', 'ok'],
      ['sbom', 'ok'],
      ['scan', 'bad'],
      ['signature', 'bad'],
      ['decisions', 'bad'],
    ]);
    const text = links.map(textOf);
    expect(text[0]).toContain('d3adb33f of https://git.example/shop/api');
    expect(text[1]).toContain('shop-api #812 succeeded by ana <ana@example.com>');
    expect(text[2]).toContain('arn:aws:sts::123456789012:assumed-role/ci/gha-812');
    expect(text[4]).toContain('verdict fail');
    expect(text[6]).toContain('0 allowed, 1 denied');
  });

  it('shows findings by severity and the tags timeline with the violation', () => {
    const doc = parseHtml(html);
    const rows = elements(byId(doc, 'findings') ?? { tag: 'x', attributes: {}, children: [] }).filter((e) => e.attributes['data-severity']);
    expect(rows.map((r) => [r.attributes['data-severity'], textOf(r).replace(/^\D+/, '')])).toEqual([
      ['critical', '1'],
      ['high', '3'],
      ['medium', '2'],
      ['low', '1'],
      ['info', '0'],
      ['unknown', '0'],
    ]);
    const tags = elements(byId(doc, 'tags') ?? { tag: 'x', attributes: {}, children: [] }).filter((e) => e.tag === 'li').map(textOf);
    expect(tags).toEqual([`2026-03-01T09:00:00.000Z v1.2.0 bound ${DIGEST.slice(0, 19)}…`, `2026-03-02T10:00:00.000Z v1.2.0 violation ${OTHER_DIGEST.slice(0, 19)}…`]);
    expect(textOf(byId(doc, 'artifact') ?? { tag: 'x', attributes: {}, children: [] })).toBe(`${REPO}@${DIGEST}`);
    expect(textOf(byId(doc, 'trail') ?? { tag: 'x', attributes: {}, children: [] })).toContain('arn:aws:iam::123456789012:role/deployergatedenied');
  });

  it('the reader it is checked with refuses a broken page', () => {
    expect(() => parseHtml('<div><p>x</div>')).toThrow('</div> closes <p>');
    expect(() => parseHtml('<p>a & b</p>')).toThrow('unescaped &');
  });
});
