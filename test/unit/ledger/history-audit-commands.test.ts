import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { auditCommand } from '../../../lambdas/cli/audit-command';
import { historyCommand } from '../../../lambdas/cli/history-command';
import { openLocalLedger } from '../../../lambdas/local/ledger';
import { InMemoryMetrics } from '../../../lambdas/ports/metrics';
import { createRecordStep } from '../../../lambdas/workflow/steps/record';
import { DEFAULT_TAG_POLICY } from '../../../lambdas/ledger/tag-policy';
import { artifact, DIGEST, OTHER_DIGEST, REPO, scan, sbom, signing, state } from '../workflow/states';

const NOW = new Date('2026-03-01T09:05:00.000Z');
let home: string;
const saved = process.env.ARTIFACT_GUARD_HOME;

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-history-'));
  process.env.ARTIFACT_GUARD_HOME = home;
  const ledger = await openLocalLedger(home, { quiet: true });
  try {
    const record = createRecordStep({ records: ledger.records, ledger: ledger.ledger, metrics: new InMemoryMetrics(), now: () => NOW, tagPolicy: DEFAULT_TAG_POLICY });
    await record(state({ sbom, scan: scan(), signing }));
    // Notify writes PROCESSED once the alerts are out (the processing lease's order).
    await ledger.records.markProcessed(REPO, DIGEST, '2026-03-01T09:06:00.000Z');
    // Another digest pushed later under the same tag: a violation in its own trail and in the tag's history.
    await record(state({ artifact: artifact({ digest: OTHER_DIGEST, trigger: { type: 'ecr-push', id: 'evt-2', time: '2026-03-02T10:00:00.000Z' } }) }));
    await record(state({ artifact: artifact({ tag: 'latest', trigger: { type: 'ecr-push', id: 'evt-3', time: '2026-03-03T10:00:00.000Z' }, duplicate: true }) }));
    await ledger.records.appendEvent(REPO, DIGEST, { id: 'gate-1', time: '2026-03-04T12:00:00.000Z', type: 'GateDecision', detail: { allowed: true, environment: 'prod', caller: 'arn:aws:iam::123456789012:role/deployer' } });
    await ledger.records.appendEvent(REPO, DIGEST, { id: 'gate-2', time: '2026-03-05T12:00:00.000Z', type: 'GateDecision', detail: { allowed: false, environment: 'prod', caller: 'local:bob' } });
  } finally {
    await ledger.close();
  }
});
afterAll(() => {
  if (saved === undefined) delete process.env.ARTIFACT_GUARD_HOME;
  else process.env.ARTIFACT_GUARD_HOME = saved;
  fs.rmSync(home, { recursive: true, force: true });
});

describe('history REF', () => {
  it('finds a tag through its first binding and prints the chain, the tag timeline and the trail', async () => {
    const res = await historyCommand([`${REPO}:v1.2.0`]);
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toContain(`${REPO}@${DIGEST}`);
    expect(res.stdout).toMatch(/ok {2}scan {7}verdict pass/);
    expect(res.stdout).toContain(`v1.2.0 → ${DIGEST}\n    2026-03-01T09:00:00.000Z  bound     ${DIGEST}\n    2026-03-02T10:00:00.000Z  violation ${OTHER_DIGEST}\n`);
    expect(res.stdout).toMatch(/decisions +1 allowed, 1 denied/);
    expect(res.stdout).toMatch(/2026-03-03T10:00:00.000Z +artifact-guard:record +tag-policy +violation/);
  });

  it('-o json holds every part of the ledger for the digest', async () => {
    const res = await historyCommand([`${REPO}@${DIGEST}`, '-o', 'json']);
    const h = JSON.parse(res.stdout ?? '') as { processed: boolean; tags: { tag: string }[]; decisions: { actor: string; outcome: string }[]; flags: { kind: string; key: string }[]; evidence: Record<string, unknown> };
    expect(h.processed).toBe(true);
    expect(h.tags.map((t) => t.tag)).toEqual(['latest', 'v1.2.0']);
    expect(h.decisions.map((d) => [d.actor, d.outcome])).toEqual([
      ['arn:aws:iam::123456789012:role/deployer', 'allowed'],
      ['local:bob', 'denied'],
    ]);
    expect(h.flags.map((f) => [f.kind, f.key])).toEqual([['tag-policy', 'latest']]);
    expect(Object.keys(h.evidence).sort()).toEqual(['sbom', 'scan', 'signature']);
  });

  it('says plainly when REF is not in the ledger', async () => {
    await expect(historyCommand([`${REPO}:never-pushed`])).rejects.toThrow(`${REPO}:never-pushed is not in the ledger`);
    await expect(historyCommand([`${REPO}@sha256:${'c'.repeat(64)}`])).rejects.toThrow('is not in the ledger');
  });
});

describe('audit', () => {
  it('lists exactly the entries of an actor, or of a time window, oldest first', async () => {
    const byActor = JSON.parse((await auditCommand(['--actor', 'local:bob', '-o', 'json'])).stdout ?? '') as { id: string; action: string; outcome: string; target: string }[];
    expect(byActor.map((e) => [e.id, e.action, e.outcome, e.target])).toEqual([['gate-2', 'gate', 'denied', `${REPO}@${DIGEST}`]]);
    const window = JSON.parse((await auditCommand(['--since', '2026-03-02', '--until', '2026-03-03', '-o', 'json'])).stdout ?? '') as { time: string; action: string; target: string }[];
    // Entries of one instant are in id order (ids are hashes): compare them as sets per instant.
    expect(window.map((e) => e.time)).toEqual([...Array<string>(3).fill('2026-03-02T10:00:00.000Z'), ...Array<string>(2).fill('2026-03-03T10:00:00.000Z')]);
    expect(window.map((e) => `${e.time} ${e.action} ${e.target}`).sort()).toEqual([
      `2026-03-02T10:00:00.000Z process ${REPO}@${OTHER_DIGEST}`,
      `2026-03-02T10:00:00.000Z record-push ${REPO}@${OTHER_DIGEST}`,
      `2026-03-02T10:00:00.000Z tag-claim ${REPO}@${OTHER_DIGEST}`,
      `2026-03-03T10:00:00.000Z record-push ${REPO}@${DIGEST}`,
      `2026-03-03T10:00:00.000Z tag-policy ${REPO}@${DIGEST}`,
    ]);
  });

  it('filters by action and prints a table', async () => {
    const res = await auditCommand(['--action', 'gate', '--since', '2026-03-01']);
    expect(res.stdout?.trim().split('\n')).toEqual([
      expect.stringMatching(/^TIME +ACTOR +ACTION +OUTCOME +TARGET$/),
      expect.stringMatching(/^2026-03-04T12:00:00.000Z +arn:aws:iam::123456789012:role\/deployer +gate +allowed +123456789012\.dkr/),
      expect.stringMatching(/^2026-03-05T12:00:00.000Z +local:bob +gate +denied +123456789012\.dkr/),
    ]);
  });

  it('refuses a time it cannot read and a window that ends before it starts', async () => {
    await expect(auditCommand(['--since', 'yesterday'])).rejects.toThrow('audit: --since: "yesterday" is not a time');
    await expect(auditCommand(['--since', '2026-03-05', '--until', '2026-03-01'])).rejects.toThrow('is after --until');
    await expect(auditCommand(['extra'])).rejects.toThrow('audit: unexpected argument');
  });
});
