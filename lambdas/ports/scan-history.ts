import type { StoredDocument } from './write-once';
import type { WriteOutcome } from './record-store';

/** A finding as the watch tracks it: per manifest, component and vulnerability. */
export interface TrackedFinding {
  readonly manifestDigest: string;
  readonly purl: string;
  readonly version: string;
  /** The finding's id (a CVE when records were merged) and the OSV records behind it. */
  readonly id: string;
  readonly records: readonly string[];
  readonly severity: string;
  readonly fixed: readonly string[];
  readonly suppressed: boolean;
}

/**
 * A scan after the first: the watch's update from changed OSV records, a re-evaluation once
 * missing data arrived, or the weekly full re-scan. The first scan stays the workflow's
 * `EVIDENCE#scan`; each later one is a new entry, never a change to an earlier one.
 */
export interface ScanEntry {
  readonly time: string;
  /** Unique within the artifact, derived from what caused it (replays write nothing new). */
  readonly id: string;
  readonly trigger: 'watch' | 'reevaluate' | 'rescan';
  readonly verdict: 'pass' | 'fail' | 'incomplete' | 'skipped';
  readonly threshold: string;
  readonly counts: Readonly<Record<string, number>>;
  /** Unsuppressed findings at or above the threshold. */
  readonly atOrAboveThreshold: number;
  readonly gapsTotal: number;
  readonly added: readonly TrackedFinding[];
  readonly cleared: readonly (TrackedFinding & { readonly why: string })[];
  /** The full report of this scan (every tracked finding), write-once in the evidence store. */
  readonly report: StoredDocument;
  readonly data: { readonly source: string; readonly newestModified?: string };
}

/** Port: the scans of an artifact after its first one (records table, `SCANS#` items). */
export interface ScanHistory {
  append(repositoryName: string, digest: string, entry: ScanEntry): Promise<WriteOutcome>;
  newest(repositoryName: string, digest: string): Promise<ScanEntry | undefined>;
}
