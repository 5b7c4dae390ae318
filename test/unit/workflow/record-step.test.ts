import { MetricName } from '../../../lambdas/core/metric-names';
import { InMemoryMetrics } from '../../../lambdas/ports/metrics';
import type { WorkflowState } from '../../../lambdas/workflow/state';
import { createRecordStep } from '../../../lambdas/workflow/steps/record';
import { MemoryRecordStore } from '../../support/memory-record-store';
import { artifact, DIGEST, evidencePush, OTHER_DIGEST, PUSHED_AT, REPO, sbom, scan, signing, state } from './states';

const NOW = new Date('2026-03-01T09:05:00.000Z');

function setup() {
  const records = new MemoryRecordStore();
  const metrics = new InMemoryMetrics();
  const record = createRecordStep({ records, now: () => NOW, metrics });
  return { records, metrics, record };
}

/** The audit trail's event types, sorted (events of one time are listed in id order, and ids are hashes). */
const types = async (records: MemoryRecordStore, digest = DIGEST) => (await records.listEvents(REPO, digest)).map((e) => e.type).sort();
const ops = (records: MemoryRecordStore) => records.writes.map((w) => `${w.op}:${w.outcome}`);

describe('Record step', () => {
  it('records a first push: the artifact, its tag, the evidence and the audit trail (PROCESSED is left to Notify)', async () => {
    const { records, metrics, record } = setup();
    const result = await record(state({ sbom, scan: scan(), signing }));

    expect(result).toEqual({ artifact: 'created', eventsWritten: 2 });
    expect(await records.getArtifact(REPO, DIGEST)).toEqual({
      repositoryName: REPO,
      digest: DIGEST,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      kind: 'image',
      platforms: [],
      provenance: { revision: 'd3adb33f', source: 'https://git.example/shop/api' },
      firstSeen: PUSHED_AT,
      source: `registry:${REPO}@${DIGEST}`,
    });
    expect(await records.claimTag(REPO, 'v1.2.0', OTHER_DIGEST, PUSHED_AT)).toEqual({ digest: DIGEST, outcome: 'exists' });
    expect(await records.getEvidence(REPO, DIGEST)).toEqual({ sbom: { ...sbom }, scan: { ...scan() }, signature: { ...signing } });
    const events = await records.listEvents(REPO, DIGEST);
    expect(events).toHaveLength(2);
    expect(events).toEqual(
      expect.arrayContaining([
        { id: expect.stringMatching(/^[0-9a-f]{24}$/), time: PUSHED_AT, type: 'ArtifactPushed', detail: { trigger: 'ecr-push', triggerId: 'evt-1', tag: 'v1.2.0', kind: 'image' } },
        { id: expect.stringMatching(/^[0-9a-f]{24}$/), time: PUSHED_AT, type: 'ArtifactProcessed', detail: { kind: 'image', platforms: 0 } },
      ]),
    );
    expect(await records.isProcessed(REPO, DIGEST)).toBe(false);
    expect(metrics.counts.size).toBe(0);
  });

  it('writes the platforms of an index with the digests and platforms they were listed with', async () => {
    const { records, record } = setup();
    const platforms = [
      { digest: `sha256:${'01'.repeat(32)}`, mediaType: 'application/vnd.oci.image.manifest.v1+json', platform: 'linux/amd64' },
      { digest: `sha256:${'02'.repeat(32)}`, mediaType: 'application/vnd.oci.image.manifest.v1+json' },
    ];
    await record(state({ artifact: artifact({ kind: 'index', platforms }) }));
    expect((await records.getArtifact(REPO, DIGEST))?.platforms).toEqual([{ digest: platforms[0]?.digest, platform: 'linux/amd64' }, { digest: platforms[1]?.digest }]);
    expect((await records.listEvents(REPO, DIGEST)).find((e) => e.type === 'ArtifactProcessed')?.detail).toEqual({ kind: 'index', platforms: 2 });
  });

  it('writes the artifact once: a later trigger for the same digest keeps the first record', async () => {
    const { records, record } = setup();
    await record(state());
    const later = '2026-03-02T10:00:00.000Z';
    const result = await record(state({ artifact: artifact({ trigger: { type: 'manual', id: 'evt-2', time: later }, provenance: { revision: 'other' } }) }));
    expect(result.artifact).toBe('exists');
    expect(await records.getArtifact(REPO, DIGEST)).toMatchObject({ firstSeen: PUSHED_AT, provenance: { revision: 'd3adb33f' } });
    // The second trigger has its own audit events.
    expect(result.eventsWritten).toBe(2);
  });

  it('writes nothing new when the same event is replayed (audit ids derive from the trigger)', async () => {
    const { records, metrics, record } = setup();
    const first = state({ sbom, scan: scan(), signing });
    await record(first);
    const before = await records.listEvents(REPO, DIGEST);
    expect(await record(first)).toEqual({ artifact: 'exists', eventsWritten: 0 });
    expect(await records.listEvents(REPO, DIGEST)).toEqual(before);
    expect(metrics.counts.size).toBe(0);
    expect(records.writes.filter((w) => w.outcome === 'created')).toHaveLength(7); // artifact, tag, 3 evidence, 2 events
  });

  it('claims no tag for a push by digest', async () => {
    const { records, record } = setup();
    await record(state({ artifact: artifact({ tag: undefined }) }));
    expect(records.writes.map((w) => w.op)).not.toContain('claimTag');
    expect((await records.listEvents(REPO, DIGEST)).find((e) => e.type === 'ArtifactPushed')?.detail).toMatchObject({ tag: null });
  });

  it('reports a tag moved to another digest: a violation event, a metric, and the tag stays bound', async () => {
    const { records, metrics, record } = setup();
    await record(state());
    const moved = await record(state({ artifact: artifact({ digest: OTHER_DIGEST, trigger: { type: 'ecr-push', id: 'evt-2', time: '2026-03-01T10:00:00.000Z' } }) }));
    expect(moved).toEqual({ artifact: 'created', tagViolation: { tag: 'v1.2.0', boundDigest: DIGEST }, eventsWritten: 3 });
    const violation = (await records.listEvents(REPO, OTHER_DIGEST)).find((e) => e.type === 'TagImmutabilityViolation');
    expect(violation?.detail).toEqual({ tag: 'v1.2.0', boundDigest: DIGEST, pushedDigest: OTHER_DIGEST });
    expect(metrics.counts.get(MetricName.tagViolations)).toBe(1);
    expect(await records.claimTag(REPO, 'v1.2.0', OTHER_DIGEST, PUSHED_AT)).toEqual({ digest: DIGEST, outcome: 'exists' });
  });

  it('does only tag bookkeeping for a duplicate: no evidence, no ArtifactProcessed', async () => {
    const { records, record } = setup();
    await record(state({ sbom, scan: scan(), signing }));
    const again: WorkflowState = state({ artifact: artifact({ duplicate: true, trigger: { type: 'ecr-push', id: 'evt-2', time: '2026-03-01T11:00:00.000Z' } }), sbom, scan: scan({ verdict: 'fail' }), signing });
    records.writes.length = 0;
    expect(await record(again)).toEqual({ artifact: 'exists', eventsWritten: 1 });
    expect(ops(records)).toEqual(['putArtifact:exists', 'claimTag:exists', 'appendEvent:created']);
    expect(await types(records)).toEqual(['ArtifactProcessed', 'ArtifactPushed', 'ArtifactPushedAgain']);
    expect((await records.getEvidence(REPO, DIGEST)).scan).toMatchObject({ verdict: 'pass' });
  });

  it('still reports a moved tag on a duplicate push', async () => {
    const { record } = setup();
    await record(state({ artifact: artifact({ digest: OTHER_DIGEST, trigger: { type: 'ecr-push', id: 'evt-0', time: '2026-02-01T00:00:00.000Z' } }) }));
    const dup = await record(state({ artifact: artifact({ duplicate: true }) }));
    expect(dup.tagViolation).toEqual({ tag: 'v1.2.0', boundDigest: OTHER_DIGEST });
  });
});

describe('Record step: evidence pushes', () => {
  it('records a valid one as EvidencePushed on its subject, with no artifact record of its own', async () => {
    const { records, metrics, record } = setup();
    const push = evidencePush({ claim: 'signature', subject: DIGEST, valid: true, reason: 'a cosign signature of an image in the repository' });
    const result = await record(state({ artifact: push }));
    expect(result).toEqual({ artifact: 'exists', eventsWritten: 1 });
    expect(await records.getArtifact(REPO, OTHER_DIGEST)).toBeUndefined();
    expect(await records.listEvents(REPO, OTHER_DIGEST)).toEqual([]);
    expect(await records.listEvents(REPO, DIGEST)).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f]{24}$/),
        time: PUSHED_AT,
        type: 'EvidencePushed',
        detail: { trigger: 'ecr-push', triggerId: 'evt-1', tag: push.tag, digest: OTHER_DIGEST, claim: 'signature', subject: DIGEST, reason: 'a cosign signature of an image in the repository' },
      },
    ]);
    expect(ops(records)).toEqual(['appendEvent:created']);
    expect(metrics.counts.size).toBe(0);
    expect(await record(state({ artifact: push }))).toEqual({ artifact: 'exists', eventsWritten: 0 });
  });

  it('records an invalid one as what it is: an artifact record and a PolicyViolation in its own trail', async () => {
    const { records, metrics, record } = setup();
    const reason = 'it holds 1 filesystem layer(s) (sha256:…): a runnable image, not signature evidence';
    const push = evidencePush({ claim: 'signature', subject: DIGEST, valid: false, reason });
    const result = await record(state({ artifact: push }));
    expect(result).toEqual({ artifact: 'created', policyViolation: { reason }, eventsWritten: 1 });
    expect(await records.getArtifact(REPO, OTHER_DIGEST)).toEqual({
      repositoryName: REPO,
      digest: OTHER_DIGEST,
      mediaType: push.mediaType,
      kind: 'artifact',
      platforms: [],
      provenance: {},
      firstSeen: PUSHED_AT,
      source: push.source,
    });
    const [event] = await records.listEvents(REPO, OTHER_DIGEST);
    expect(event).toMatchObject({ type: 'PolicyViolation', detail: { claim: 'signature', subject: DIGEST, reason, digest: OTHER_DIGEST, tag: push.tag } });
    expect(await records.listEvents(REPO, DIGEST)).toEqual([]);
    expect(await records.isProcessed(REPO, OTHER_DIGEST)).toBe(false);
    expect(metrics.counts.get(MetricName.policyViolations)).toBe(1);
  });

  it('treats a valid claim without a subject as a violation (nothing to attach it to)', async () => {
    const { records, record } = setup();
    const result = await record(state({ artifact: evidencePush({ claim: 'evidence-tag', valid: true, reason: 'no subject' }) }));
    expect(result.policyViolation).toEqual({ reason: 'no subject' });
    expect(await types(records, OTHER_DIGEST)).toEqual(['PolicyViolation']);
  });
});
