/**
 * VulnerabilitySource over a whole OSV data set held in memory: an offline directory or zip
 * (tests, air-gapped runs), a zip in a BlobStore (the S3 mirror), or records given directly. The set is
 * loaded and indexed once, on first use; each scan then only looks packages up.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BadInputError, NotFoundError } from '../../core/errors';
import type { BlobStore } from '../../ports/blob-store';
import type { Progress } from '../../ports/progress';
import { startStage } from '../../ports/progress';
import type { DataCoverage, DataDescription, PackageQuery, VulnerabilitySource } from '../vulnerability-source';
import { AliasIndex } from '../osv/alias-index';
import { recordCoverage } from '../osv/coverage';
import { OsvIndex, latestById } from '../osv/record-index';
import type { OsvRecord } from '../osv/types';
import { loadOsvPath, loadOsvZip } from './osv-files';

interface Loaded {
  readonly index: OsvIndex;
  readonly coverage: DataCoverage;
  readonly records: readonly OsvRecord[];
  readonly warnings: readonly string[];
  /** The loader's warnings: records that could not be read (see `DataDescription.skipped`). */
  readonly skipped: readonly string[];
}

export class OfflineOsvSource implements VulnerabilitySource {
  private loaded?: Promise<Loaded>;
  // Built on the first alias lookup only: most scans rate every finding from its own records.
  private aliases?: Promise<AliasIndex>;

  constructor(
    private readonly label: string,
    private readonly load: () => Promise<{ records: OsvRecord[]; warnings: string[] }>,
    /** Where loading and indexing report their progress. */
    private readonly progress?: Progress,
  ) {}

  /** A directory of `*.json` records (searched recursively) or a zip of them (`all.zip`). */
  static fromPath(location: string, progress?: Progress): OfflineOsvSource {
    const abs = path.resolve(location);
    const isFile = fs.statSync(abs, { throwIfNoEntry: false })?.isFile() ?? false;
    return new OfflineOsvSource(`${isFile ? 'osv-zip' : 'osv-dir'}:${abs}`, () => loadOsvPath(abs, progress), progress);
  }

  /**
   * A zip in a BlobStore (the S3 mirror of osv.dev's `all.zip` exports), read whole into
   * memory when first needed. A missing object is an error, never an empty data set.
   */
  static fromBlob(store: BlobStore, key: string): OfflineOsvSource {
    return new OfflineOsvSource(`osv-zip:${store.location(key)}`, async () => {
      const bytes = await store.get(key);
      if (!bytes) throw new NotFoundError(`OSV data ${store.location(key)} does not exist`);
      return loadOsvZip({ bytes, name: store.location(key) });
    });
  }

  static fromRecords(label: string, records: readonly OsvRecord[]): OfflineOsvSource {
    return new OfflineOsvSource(label, async () => ({ records: [...records], warnings: [] }));
  }

  /** Loads and indexes the data set (once). Callers may call it early to time or warm it. */
  ready(): Promise<Loaded> {
    this.loaded ??= this.load().then(({ records, warnings }) => {
      const stage = startStage(this.progress, 'osv', `indexing ${records.length} OSV records`);
      const duplicates: string[] = [];
      const unique = latestById(records, (id) => duplicates.push(id));
      const all = [...warnings, ...duplicates.map((id) => `OSV record ${id} appears more than once; the most recently modified copy is used`)];
      // An empty data set would make every scan say "no vulnerabilities": refuse it instead.
      if (unique.length === 0) throw new BadInputError(`${this.label}: no OSV records found${warnings.length ? ` (${warnings.length} malformed)` : ''}`);
      const loaded = { index: OsvIndex.build(unique), coverage: recordCoverage(unique), records: unique, warnings: all, skipped: warnings };
      stage.finish(`${unique.length} records`);
      return loaded;
    });
    return this.loaded;
  }

  async recordsFor(packages: readonly PackageQuery[]): Promise<readonly OsvRecord[]> {
    const { index } = await this.ready();
    const out = new Set<OsvRecord>();
    for (const p of packages) for (const r of index.recordsFor(p.ecosystem, p.name)) out.add(r);
    return [...out];
  }

  async coverage(): Promise<DataCoverage> {
    return (await this.ready()).coverage;
  }

  async recordsById(ids: readonly string[]): Promise<readonly OsvRecord[]> {
    this.aliases ??= this.ready().then(({ records }) => AliasIndex.build(records));
    return (await this.aliases).find(ids);
  }

  async describe(): Promise<DataDescription> {
    const { index, warnings, skipped } = await this.ready();
    return {
      source: this.label,
      recordCount: index.recordCount,
      ...(index.newestModified ? { newestModified: index.newestModified } : {}),
      warnings,
      ...(skipped.length ? { skipped } : {}),
    };
  }
}
