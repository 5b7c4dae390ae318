/**
 * The vulnerability watch: after each OSV mirror sync, the changed records are matched only
 * against the artifacts the component index names for their packages, with the Scan step's
 * matching code (matchEntries, buildFindings, severities rated from aliases). For each artifact
 * whose findings change, a new scan entry is written (the first scan is never touched), and a
 * finding its last scan did not have raises `Vulnerabilities Found` with `newSincePush: true`,
 * the tags it was pushed with and the environments it is in. A record withdrawn, or whose ranges
 * no longer include the stored version, clears the finding, and that is recorded too.
 *
 * Artifacts whose scan was `incomplete` for lack of data are re-scanned whole (the Scan step
 * itself) when that data arrives; the weekly full re-scan uses the same path.
 */
import { createHash } from 'node:crypto';
import { AlertType } from '../../core/alerts';
import { MetricName } from '../../core/metric-names';
import type { Environments } from '../../gate/environments';
import type { Alert, AlertSink } from '../../ports/alert-sink';
import type { BlobStore } from '../../ports/blob-store';
import type { ArtifactRef, ComponentIndex, IndexedComponent } from '../../ports/component-index';
import type { MetricsSink } from '../../ports/metrics';
import type { RecordStore } from '../../ports/record-store';
import type { ScanEntry, ScanHistory, TrackedFinding } from '../../ports/scan-history';
import { readVerified, sha256Hex, writeOnce } from '../../ports/write-once';
import { rateFromAliases } from '../../vuln/alias-severity';
import { buildFindings } from '../../vuln/findings';
import type { EcosystemSync, RecordChange } from '../../vuln/mirror/sync';
import { ecosystemBase, normalizeName } from '../../vuln/osv/ecosystems';
import { matchEntries, type PackageMatches } from '../../vuln/osv/matcher';
import type { PackageTarget } from '../../vuln/osv/purl-target';
import { purlTarget } from '../../vuln/osv/purl-target';
import { OsvIndex } from '../../vuln/osv/record-index';
import type { OsvRecord } from '../../vuln/osv/types';
import type { ScanReport, UnknownSeverityPolicy } from '../../vuln/report';
import type { Severity } from '../../vuln/severity';
import type { VulnerabilitySource } from '../../vuln/vulnerability-source';
import { evidencePrefix } from '../evidence-keys';
import { environmentsOf, tagsOf } from '../find-artifacts';
import type { ResolvedArtifact, SbomSummary, ScanSummary } from '../state';
import { createScanStep } from '../steps/scan';
import type { ArtifactState, WatchReport } from './tracked';
import { assess, blocksTracked, diff, findingKey, fromReports, placeOf, tracked, WATCH_REPORT_FORMAT } from './tracked';

export interface WatchDeps {
  readonly index: ComponentIndex;
  readonly scans: ScanHistory;
  readonly records: RecordStore;
  readonly evidence: BlobStore;
  readonly alerts: AlertSink;
  readonly metrics: MetricsSink;
  /** The mirror as scans read it: rates new findings from their aliases, re-scans whole SBOMs. */
  readonly source: VulnerabilitySource;
  /** How reports name the data (`osv-mirror:s3://…/mirror.json`). */
  readonly dataSource: string;
  readonly threshold: Severity;
  readonly unknownSeverity: UnknownSeverityPolicy;
  readonly environments?: Environments;
  readonly now: () => Date;
  readonly log?: (line: string) => void;
}

export interface WatchOutcome {
  /** Index entries read (one query per package a changed record names). */
  readonly componentsRead: number;
  readonly packagesQueried: number;
  /** Artifacts whose findings were re-evaluated (a changed record matches or matched them). */
  readonly artifactsEvaluated: number;
  readonly scansWritten: number;
  readonly added: number;
  readonly cleared: number;
  readonly alerts: readonly Alert[];
}

interface Update {
  readonly component: IndexedComponent;
  readonly target: PackageTarget;
  readonly change: RecordChange;
  readonly now: PackageMatches;
}

const refKey = (r: ArtifactRef): string => `${r.repository}@${r.digest}`;

/** Packages a record names, as index keys (base ecosystem, normalised name). */
function packagesOf(record: OsvRecord | undefined): { ecosystem: string; name: string }[] {
  return (record?.affected ?? []).map((a) => ({ ecosystem: ecosystemBase(a.package.ecosystem), name: normalizeName(a.package.ecosystem, a.package.name) }));
}

/** One record's entries for a package, through the Scan step's index and matcher. */
function matcher() {
  const indexes = new Map<OsvRecord, OsvIndex>();
  return (record: OsvRecord | undefined, target: PackageTarget): PackageMatches => {
    if (!record) return { matches: [], undecidable: [] };
    let index = indexes.get(record);
    if (!index) {
      index = OsvIndex.build([record]);
      indexes.set(record, index);
    }
    return matchEntries(index.entriesFor(target.ecosystem, target.name), target);
  };
}

export function createWatch(deps: WatchDeps) {
  const log = deps.log ?? (() => undefined);

  /** The findings the artifact has now: its newest later scan, else its first (the workflow's). */
  async function loadState(ref: ArtifactRef): Promise<ArtifactState | undefined> {
    const newest = await deps.scans.newest(ref.repository, ref.digest);
    if (newest) {
      const report = JSON.parse((await readVerified(deps.evidence, newest.report)).toString('utf8')) as WatchReport;
      return { findings: report.findings, verdict: newest.verdict, gapsTotal: newest.gapsTotal, time: newest.time };
    }
    const first = (await deps.records.getEvidence(ref.repository, ref.digest)).scan as ScanSummary | undefined;
    if (!first) return undefined;
    const reports: { manifestDigest: string; report: ScanReport }[] = [];
    for (const r of first.reports ?? []) reports.push({ manifestDigest: r.manifestDigest, report: JSON.parse((await readVerified(deps.evidence, r)).toString('utf8')) as ScanReport });
    return { findings: fromReports(reports), verdict: first.verdict, gapsTotal: first.gapsTotal, time: '' };
  }

  /** Writes the new scan (report, history entry, audit event) and says what people must hear. */
  async function commit(ref: ArtifactRef, before: ArtifactState, after: readonly TrackedFinding[], opts: { trigger: ScanEntry['trigger']; gapsTotal: number; verdictBase: ScanEntry['verdict']; newestModified?: string; reports?: WatchReport['reports']; why: (f: TrackedFinding) => string; always?: boolean }) {
    const { added, cleared } = diff(before.findings, after, opts.why);
    if (!opts.always && added.length === 0 && cleared.length === 0) return undefined;
    const time = deps.now().toISOString();
    const a = assess(after, opts.gapsTotal, opts.verdictBase, deps.threshold, deps.unknownSeverity);
    const data = { source: deps.dataSource, ...(opts.newestModified ? { newestModified: opts.newestModified } : {}) };
    const report: WatchReport = {
      format: WATCH_REPORT_FORMAT,
      generatedAt: time,
      subject: ref,
      trigger: opts.trigger,
      data,
      threshold: deps.threshold,
      unknownSeverity: deps.unknownSeverity,
      verdict: a.verdict,
      counts: a.counts,
      gapsTotal: opts.gapsTotal,
      added,
      cleared,
      findings: after,
      ...(opts.reports ? { reports: opts.reports } : {}),
    };
    const bytes = Buffer.from(`${JSON.stringify(report, null, 1)}\n`);
    const stored = await writeOnce(deps.evidence, `${evidencePrefix(ref.repository, ref.digest)}/watch/${time.replace(/[:.]/g, '-')}.${sha256Hex(bytes).slice(0, 16)}.json`, bytes, 'application/json');
    // Derived from what changed and from which state: the same change applied again is the same entry.
    const id = createHash('sha256').update([opts.trigger, before.time, ...added.map(findingKey), '|', ...cleared.map(findingKey), opts.always ? time : ''].join('\n')).digest('hex').slice(0, 24);
    const entry: ScanEntry = { time, id, trigger: opts.trigger, verdict: a.verdict, threshold: deps.threshold, counts: a.counts, atOrAboveThreshold: a.atOrAboveThreshold, gapsTotal: opts.gapsTotal, added, cleared, report: stored, data };
    await deps.scans.append(ref.repository, ref.digest, entry);
    await deps.records.appendEvent(ref.repository, ref.digest, {
      id,
      time,
      type: 'VulnerabilityWatch',
      detail: { trigger: opts.trigger, verdict: a.verdict, added: added.map((f) => f.id), cleared: cleared.map((f) => ({ id: f.id, why: f.why })), report: stored.location },
    });
    const blocking = added.filter((f) => blocksTracked(f, deps.threshold, deps.unknownSeverity));
    if (blocking.length) deps.metrics.count(MetricName.vulnerabilitiesFound, blocking.length);
    const alert = blocking.length ? await newFindingAlert(ref, blocking, a.verdict, a.counts, stored.location) : undefined;
    return { added, cleared, entry, alert };
  }

  async function newFindingAlert(ref: ArtifactRef, findings: readonly TrackedFinding[], verdict: string, counts: Readonly<Record<string, number>>, report: string): Promise<Alert> {
    const tags = await tagsOf(deps.records, ref.repository, ref.digest);
    const environments = environmentsOf(deps.environments, ref.repository);
    const list = findings.slice(0, 5).map((f) => `${f.id} (${f.severity}, ${f.purl}${f.fixed.length ? `, fixed in ${f.fixed.join(', ')}` : ''})`);
    const where = environments.length ? ` running in ${environments.join(', ')}` : '';
    return {
      type: AlertType.vulnerabilities,
      detail: {
        summary: `${findings.length} new finding(s) at or above ${deps.threshold} in ${ref.repository}@${ref.digest}${tags.length ? ` (${tags.join(', ')})` : ''}${where}, published after it was pushed: ${list.join('; ')}${findings.length > list.length ? '; …' : ''}`,
        repository: ref.repository,
        digest: ref.digest,
        newSincePush: true,
        tags,
        environments,
        threshold: deps.threshold,
        verdict,
        // The artifact's findings by severity after the change (the event schema requires them, as for the workflow's alert).
        counts: { ...counts },
        findings: findings.slice(0, 20).map((f) => ({ id: f.id, severity: f.severity, package: f.purl, version: f.version, fixed: f.fixed, records: f.records })),
        findingsTotal: findings.length,
        reports: [report],
      },
    };
  }

  /** Changed records → the artifacts the index names for their packages → new scan entries. */
  async function watchChanges(changes: readonly RecordChange[]): Promise<WatchOutcome> {
    const match = matcher();
    // One query per package, whatever number of changed records name it; each answer is used and
    // dropped (a popular package's answer is tens of thousands of items).
    const byPackage = new Map<string, { ecosystem: string; name: string; changes: RecordChange[] }>();
    for (const change of changes) {
      for (const p of [...packagesOf(change.before), ...packagesOf(change.after)]) {
        const key = `${p.ecosystem}\u0000${p.name}`;
        const entry = byPackage.get(key) ?? { ...p, changes: [] };
        if (!entry.changes.includes(change)) entry.changes.push(change);
        byPackage.set(key, entry);
      }
    }
    let componentsRead = 0;
    const updates = new Map<string, { ref: ArtifactRef; list: Update[] }>();
    for (const p of byPackage.values()) {
      const hits = await deps.index.find(p.ecosystem, p.name);
      componentsRead += hits.length;
      // Thousands of artifacts share a version of a package: place and match each version once.
      const decided = new Map<string, { target: PackageTarget; verdicts: (PackageMatches | undefined)[] } | undefined>();
      const decide = (purl: string, version: string) => {
        const t = purlTarget(purl, version);
        if ('unsupported' in t) return undefined;
        // The findings change only when a record starts or stops matching: neither copy
        // matching is nothing; both matching is a finding the artifact already has (a new
        // severity or fix on it is taken up by the next full re-scan).
        const verdicts = p.changes.map((change) => {
          const now = match(change.after, t.target);
          return now.matches.length > 0 === match(change.before, t.target).matches.length > 0 ? undefined : now;
        });
        return { target: t.target, verdicts };
      };
      for (const component of hits) {
        const key = `${component.purl}\u0000${component.version}`;
        if (!decided.has(key)) decided.set(key, decide(component.purl, component.version));
        const d = decided.get(key);
        if (!d) continue;
        for (const [i, change] of p.changes.entries()) {
          const now = d.verdicts[i];
          if (!now) continue;
          const t = { target: d.target };
          const k = refKey(component);
          const u = updates.get(k) ?? { ref: { repository: component.repository, digest: component.digest }, list: [] };
          // The same component reached through two index names (binary and source) counts once.
          if (!u.list.some((x) => x.change === change && x.component.manifestDigest === component.manifestDigest && x.component.purl === component.purl)) u.list.push({ component, target: t.target, change, now });
          updates.set(k, u);
        }
      }
    }
    let scansWritten = 0;
    let added = 0;
    let cleared = 0;
    const alerts: Alert[] = [];
    for (const { ref, list } of updates.values()) {
      const state = await loadState(ref);
      if (!state) {
        log(`watch: ${refKey(ref)} is indexed but has no recorded scan; skipped`);
        continue;
      }
      const after = await apply(state.findings, list);
      const why = (f: TrackedFinding): string => {
        const c = list.find((u) => placeOf({ manifestDigest: u.component.manifestDigest, purl: u.component.purl }) === placeOf(f) && f.records.includes(u.change.after.id));
        if (!c) return 'no longer matched';
        return c.change.after.withdrawn ? `${c.change.after.id} was withdrawn on ${c.change.after.withdrawn}` : `${c.change.after.id} no longer includes ${f.version} (its ranges changed)`;
      };
      const newest = list.map((u) => u.change.after.modified).sort().pop();
      const done = await commit(ref, state, after, { trigger: 'watch', gapsTotal: state.gapsTotal, verdictBase: state.verdict, ...(newest ? { newestModified: newest } : {}), why });
      if (!done) continue;
      scansWritten += 1;
      added += done.added.length;
      cleared += done.cleared.length;
      if (done.alert) alerts.push(done.alert);
    }
    await deps.alerts.publish(alerts);
    return { componentsRead, packagesQueried: byPackage.size, artifactsEvaluated: updates.size, scansWritten, added, cleared, alerts };
  }

  /** The artifact's tracked findings with the changed records applied. */
  async function apply(current: readonly TrackedFinding[], updates: readonly Update[]): Promise<TrackedFinding[]> {
    let findings: TrackedFinding[] = [...current];
    // Records that no longer match at a place leave the findings there.
    for (const u of updates) {
      if (u.now.matches.length) continue;
      const place = placeOf({ manifestDigest: u.component.manifestDigest, purl: u.component.purl });
      findings = findings
        .map((f) => (placeOf(f) === place && f.records.includes(u.change.after.id) ? { ...f, records: f.records.filter((r) => r !== u.change.after.id) } : f))
        .filter((f) => f.records.length > 0);
    }
    const matching = updates.filter((u) => u.now.matches.length);
    if (!matching.length) return findings;
    const built = await rateFromAliases(
      buildFindings(matching.map((u) => ({ component: { bomRef: `${u.component.manifestDigest}#${u.component.purl}`, purl: u.component.purl, name: u.component.name, version: u.component.version }, target: u.target, matches: u.now.matches }))),
      deps.source,
    );
    for (const f of built) {
      const manifestDigest = f.component.bomRef.slice(0, f.component.bomRef.indexOf('#'));
      const t = tracked(f, manifestDigest);
      const same = findings.find((x) => placeOf(x) === placeOf(t) && (x.id === t.id || x.records.some((r) => t.records.includes(r)) || f.aliases.includes(x.id)));
      if (same) {
        // Another record of a vulnerability already found here: the finding stays, its records grow.
        findings = findings.map((x) => (x === same ? { ...x, records: [...new Set([...x.records, ...t.records])], fixed: t.fixed } : x));
      } else findings.push(t);
    }
    return findings;
  }

  /**
   * Re-scans an artifact's stored SBOMs with the Scan step (the data arrived for an `incomplete`
   * artifact, or the weekly full re-scan) and records the result as a new scan entry.
   */
  async function rescan(ref: ArtifactRef, trigger: 'reevaluate' | 'rescan', opts: { onlyIfIncomplete?: boolean } = {}) {
    const state = await loadState(ref);
    if (!state) return undefined;
    if (opts.onlyIfIncomplete && state.verdict !== 'incomplete') return undefined;
    const sbom = (await deps.records.getEvidence(ref.repository, ref.digest)).sbom as SbomSummary | undefined;
    const record = await deps.records.getArtifact(ref.repository, ref.digest);
    if (!sbom || !record) return undefined;
    const artifact: ResolvedArtifact = {
      source: record.source,
      repositoryName: record.repositoryName,
      digest: record.digest,
      mediaType: record.mediaType,
      kind: record.kind,
      targets: [],
      platforms: record.platforms.map((p) => ({ digest: p.digest, mediaType: '', ...(p.platform ? { platform: p.platform } : {}) })),
      provenance: record.provenance,
      trigger: { type: 'manual', id: `${trigger}:${deps.now().toISOString()}`, time: deps.now().toISOString() },
      duplicate: false,
    };
    const scan = await createScanStep({ source: deps.source, evidence: deps.evidence, threshold: deps.threshold, unknownSeverity: deps.unknownSeverity, metrics: deps.metrics, now: deps.now })({ artifact, sbom });
    const reports: { manifestDigest: string; report: ScanReport }[] = [];
    for (const r of scan.reports) reports.push({ manifestDigest: r.manifestDigest, report: JSON.parse((await readVerified(deps.evidence, r)).toString('utf8')) as ScanReport });
    return commit(ref, state, fromReports(reports), {
      trigger,
      gapsTotal: scan.gapsTotal,
      verdictBase: scan.verdict === 'skipped' ? 'skipped' : 'pass',
      ...(scan.data?.newestModified ? { newestModified: scan.data.newestModified } : {}),
      reports: scan.reports.map((r) => ({ key: r.key, sha256: r.sha256 })),
      why: () => 'not found by a full re-scan with the current data',
      always: true,
    });
  }

  /** Artifacts left `incomplete` for lack of an ecosystem's data, re-scanned once it is in the mirror. */
  async function reevaluatePending(ecosystems: readonly string[]) {
    const seen = new Set<string>();
    const alerts: Alert[] = [];
    let rescanned = 0;
    for (const e of ecosystems) {
      for (const ref of await deps.index.pending(e)) {
        if (seen.has(refKey(ref))) continue;
        seen.add(refKey(ref));
        const done = await rescan(ref, 'reevaluate', { onlyIfIncomplete: true });
        if (!done) continue;
        rescanned += 1;
        if (done.alert) alerts.push(done.alert);
      }
    }
    await deps.alerts.publish(alerts);
    return { rescanned, alerts };
  }

  return { watchChanges, rescan, reevaluatePending, loadState };
}

/**
 * Ecosystems whose data just became usable to scans: synced for the first time, or fresh again
 * after being older than scans accept. Artifacts left `incomplete` under them are re-scanned.
 */
export function becameAvailable(ecosystems: readonly EcosystemSync[], maxAgeMs: number, now: Date): string[] {
  return ecosystems
    .filter((e) => e.mode !== 'failed' && (e.first || (e.previousSyncedAt !== undefined && now.getTime() - Date.parse(e.previousSyncedAt) > maxAgeMs)))
    .map((e) => e.ecosystem);
}
