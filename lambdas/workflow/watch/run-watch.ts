/**
 * One run of the scheduled watch: sync the OSV mirror for the ecosystems the component index
 * holds, match what changed against the artifacts that hold those packages, and re-scan the
 * artifacts left `incomplete` under an ecosystem whose data just arrived. The same code runs in
 * the OsvWatch Lambda and in `artifact-guard watch`.
 */
import type { HttpGet } from '../../ports/http-get';
import type { OsvMirrorStore } from '../../vuln/mirror/mirror-store';
import type { EcosystemSync } from '../../vuln/mirror/sync';
import { syncMirror } from '../../vuln/mirror/sync';
import { DEFAULT_MIRROR_MAX_AGE_MS, MirrorOsvSource } from '../../vuln/sources/mirror-source';
import type { WatchDeps, WatchOutcome } from './watch';
import { becameAvailable, createWatch } from './watch';

export interface RunWatchDeps extends Omit<WatchDeps, 'source' | 'dataSource'> {
  readonly http: HttpGet;
  readonly mirror: OsvMirrorStore;
  /** Ecosystems to mirror besides those the index holds (e.g. before anything was pushed). */
  readonly extraEcosystems?: readonly string[];
  readonly baseUrl?: string;
  readonly maxAgeMs?: number;
  /** Sync only: no matching (`artifact-guard watch --sync-only`). */
  readonly syncOnly?: boolean;
}

export interface RunWatchSummary {
  readonly ecosystems: readonly EcosystemSync[];
  readonly changedRecords: number;
  readonly watch?: Omit<WatchOutcome, 'alerts'> & { readonly alerts: number };
  readonly reevaluated: number;
  readonly failed: readonly string[];
}

export async function runOsvWatch(deps: RunWatchDeps): Promise<RunWatchSummary> {
  const ecosystems = [...new Set([...(await deps.index.ecosystems()), ...(deps.extraEcosystems ?? [])])];
  const sync = await syncMirror({ http: deps.http, mirror: deps.mirror, ecosystems, now: deps.now, ...(deps.baseUrl ? { baseUrl: deps.baseUrl } : {}), ...(deps.log ? { log: deps.log } : {}) });
  const failed = sync.ecosystems.filter((e) => e.mode === 'failed').map((e) => `${e.ecosystem}: ${e.error ?? 'failed'}`);
  const base = { ecosystems: sync.ecosystems, changedRecords: sync.changes.length, failed };
  if (deps.syncOnly) return { ...base, reevaluated: 0 };
  const maxAgeMs = deps.maxAgeMs ?? DEFAULT_MIRROR_MAX_AGE_MS;
  const source = new MirrorOsvSource(deps.mirror, { now: deps.now, maxAgeMs });
  const watch = createWatch({ ...deps, source, dataSource: source.label });
  const outcome = await watch.watchChanges(sync.changes);
  const pending = await watch.reevaluatePending(becameAvailable(sync.ecosystems, maxAgeMs, deps.now()));
  return { ...base, watch: { ...outcome, alerts: outcome.alerts.length }, reevaluated: pending.rescanned };
}
