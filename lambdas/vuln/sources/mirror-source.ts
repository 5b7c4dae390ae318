/**
 * VulnerabilitySource over an OSV mirror (vuln/mirror/mirror-store.ts) in a BlobStore: the S3
 * evidence bucket in AWS, a directory locally (`--osv-dir DIR` where DIR holds `mirror.json`).
 * Fails closed on age: an ecosystem whose last completed sync is older than `maxAgeMs` is left
 * out, so its components are "not covered" (a gap, verdict `incomplete`) with the reason, never
 * matched against data that may be missing a week of advisories.
 */
import type { DataCoverage, DataDescription, PackageQuery, VulnerabilitySource } from '../vulnerability-source';
import type { MirrorManifest, OsvMirrorStore } from '../mirror/mirror-store';
import { requireManifest } from '../mirror/mirror-store';
import { ecosystemBase } from '../osv/ecosystems';
import { keyCoverage } from '../osv/coverage';
import type { OsvRecord } from '../osv/types';
import { OfflineOsvSource } from './offline-source';

/** How old a mirror may be before scans stop trusting it. */
export const DEFAULT_MIRROR_MAX_AGE_MS = 48 * 3600_000;

interface Loaded {
  readonly inner?: OfflineOsvSource;
  readonly stale: ReadonlyMap<string, string>;
  readonly manifest: MirrorManifest;
  readonly warnings: readonly string[];
}

export class MirrorOsvSource implements VulnerabilitySource {
  private loaded?: Promise<Loaded>;

  constructor(
    private readonly mirror: OsvMirrorStore,
    private readonly opts: { readonly now: () => Date; readonly maxAgeMs?: number },
  ) {}

  get label(): string {
    return `osv-mirror:${this.mirror.location}`;
  }

  private ready(): Promise<Loaded> {
    this.loaded ??= (async () => {
      const manifest = await requireManifest(this.mirror);
      const maxAge = this.opts.maxAgeMs ?? DEFAULT_MIRROR_MAX_AGE_MS;
      const now = this.opts.now().getTime();
      const stale = new Map<string, string>();
      const records: OsvRecord[] = [];
      const warnings: string[] = [];
      for (const [eco, state] of Object.entries(manifest.ecosystems)) {
        const age = now - Date.parse(state.syncedAt);
        if (!(age <= maxAge)) {
          stale.set(eco, `the mirror's ${eco} data was last synced ${state.syncedAt}, older than the ${Math.round(maxAge / 3600_000)} h a scan accepts`);
          continue;
        }
        const loaded = await this.mirror.loadEcosystem(state);
        records.push(...loaded.records);
        warnings.push(...loaded.warnings);
      }
      const inner = records.length ? OfflineOsvSource.fromRecords(this.label, records) : undefined;
      return { ...(inner ? { inner } : {}), stale, manifest, warnings };
    })();
    return this.loaded;
  }

  async recordsFor(packages: readonly PackageQuery[]): Promise<readonly OsvRecord[]> {
    const { inner } = await this.ready();
    return inner ? inner.recordsFor(packages) : [];
  }

  async recordsById(ids: readonly string[]): Promise<readonly OsvRecord[]> {
    const { inner } = await this.ready();
    return inner ? inner.recordsById(ids) : [];
  }

  async coverage(): Promise<DataCoverage> {
    const { inner, stale } = await this.ready();
    const base = inner ? await inner.coverage() : keyCoverage(new Set());
    return {
      covers: (ecosystem) => base.covers(ecosystem),
      ...(base.ecosystems ? { ecosystems: base.ecosystems } : {}),
      explain: (ecosystem) => stale.get(ecosystemBase(ecosystem)),
    };
  }

  async describe(): Promise<DataDescription> {
    const { inner, stale, warnings } = await this.ready();
    const d = inner ? await inner.describe() : { source: this.label, recordCount: 0, warnings: [] };
    // The ecosystems' loader warnings are records that could not be read: gaps, like the inner source's.
    const skipped = [...warnings, ...(d.skipped ?? [])];
    return {
      ...d,
      source: this.label,
      warnings: [...warnings, ...d.warnings, ...[...stale.values()].map((s) => `${s}: its components are not scanned`)],
      ...(skipped.length ? { skipped } : {}),
    };
  }
}
