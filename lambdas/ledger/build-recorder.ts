import { createHash } from 'node:crypto';
import { auditEntryOf } from '../core/audit';
import { MetricName } from '../core/metric-names';
import type { AlertSink } from '../ports/alert-sink';
import type { BuildRecord, LedgerStore } from '../ports/ledger-store';
import type { MetricsSink } from '../ports/metrics';
import type { RecordStore, WriteOutcome } from '../ports/record-store';
import { provenanceMismatchAlert } from './ledger-alerts';
import type { BuildLink } from './link-build';
import { linkBuild } from './link-build';

export interface BuildRecorderDeps {
  readonly records: RecordStore;
  readonly ledger: LedgerStore;
  readonly alerts: AlertSink;
  readonly metrics: MetricsSink;
}

export interface BuildRecorded {
  readonly outcome: WriteOutcome;
  /** Artifacts already recorded with one of the build's digests (the push came first). */
  readonly links: readonly BuildLink[];
}

/**
 * Records a CI build: once per pipeline and build id (a repeated report changes nothing and is
 * not counted again), counted in the build success rate of its pipeline, in the audit trail as
 * `record-build` by `ci:<pipeline>`, and joined to every artifact already recorded with one of
 * its digests (pushes that come later are joined by the Record step).
 */
export function createBuildRecorder(deps: BuildRecorderDeps) {
  return async (reported: BuildRecord): Promise<BuildRecorded> => {
    let build = reported;
    const outcome = await deps.ledger.putBuild(build);
    // A repeated report: the first one stands (its times make the replayed writes identical).
    const stored = outcome === 'created' ? build : ((await deps.ledger.getBuild(build.pipeline, build.buildId)) ?? build);
    build = stored;
    const time = build.reportedAt;
    const id = createHash('sha256').update(`build\n${build.pipeline}\n${build.buildId}`).digest('hex').slice(0, 24);
    await deps.ledger.appendAudit(
      auditEntryOf(`build:${build.pipeline}#${build.buildId}`, {
        id,
        time,
        type: 'BuildRecorded',
        actor: `ci:${build.pipeline}`,
        action: 'record-build',
        outcome: build.status,
        detail: { commit: build.commit, source: build.source, author: build.author, digests: [...build.digests], reportedBy: build.reportedBy },
      }),
    );
    if (outcome === 'created') {
      // 1 or 0 per build: its average is the success rate (per pipeline, and over all of them).
      const value = build.status === 'succeeded' ? 1 : 0;
      deps.metrics.count(MetricName.buildSuccess, value);
      deps.metrics.count(MetricName.buildSuccess, value, { pipeline: build.pipeline });
    }
    const links: BuildLink[] = [];
    for (const digest of build.digests) {
      for (const artifact of await deps.ledger.artifactsWithDigest(digest)) {
        links.push(await linkBuild(deps, artifact, build));
      }
    }
    const alerts = links.filter((l) => l.alert).map((l) => provenanceMismatchAlert(l));
    if (alerts.length) {
      deps.metrics.count(MetricName.policyViolations, alerts.length);
      await deps.alerts.publish(alerts);
    }
    return { outcome, links };
  };
}
