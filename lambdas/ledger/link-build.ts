import { createHash } from 'node:crypto';
import type { Provenance } from '../core/artifact';
import { guardActor } from '../core/audit';
import type { BuildRecord, LedgerStore } from '../ports/ledger-store';
import type { RecordStore } from '../ports/record-store';
import type { ProvenanceMismatch } from './provenance';
import { provenanceMismatches } from './provenance';

export interface LinkDeps {
  readonly records: RecordStore;
  readonly ledger: LedgerStore;
}

/** What joining one build to one artifact found. `alert` is true only the first time a mismatch is flagged. */
export interface BuildLink {
  readonly repositoryName: string;
  readonly digest: string;
  readonly pipeline: string;
  readonly buildId: string;
  readonly mismatches: readonly ProvenanceMismatch[];
  readonly alert: boolean;
}

const linkId = (kind: string, build: BuildRecord) => createHash('sha256').update(`${kind}\n${build.pipeline}\n${build.buildId}`).digest('hex').slice(0, 24);

/**
 * Joins a build record to an artifact with its digest, whichever was recorded first: the link is
 * an event in the artifact's trail, and labels that disagree with the build are kept as they are,
 * flagged once (the flag's conditional write decides who alerts), and logged as a violation.
 */
export async function linkBuild(deps: LinkDeps, artifact: { readonly repositoryName: string; readonly digest: string; readonly provenance: Provenance; readonly firstSeen: string }, build: BuildRecord): Promise<BuildLink> {
  const { repositoryName, digest } = artifact;
  // When the join became possible: the later of the two records. Both are stored, so whoever joins
  // (and every replay) writes the same events, which then exist once.
  const time = build.reportedAt > artifact.firstSeen ? build.reportedAt : artifact.firstSeen;
  const ref = { pipeline: build.pipeline, buildId: build.buildId, status: build.status, commit: build.commit, source: build.source };
  await deps.records.appendEvent(repositoryName, digest, { id: linkId('link', build), time, type: 'BuildLinked', actor: guardActor('ledger'), action: 'link-build', outcome: 'success', detail: ref });
  const mismatches = provenanceMismatches(artifact.provenance, build);
  let alert = false;
  if (mismatches.length) {
    const detail = { ...ref, mismatches: mismatches.map((m) => ({ ...m })) };
    await deps.records.appendEvent(repositoryName, digest, { id: linkId('mismatch', build), time, type: 'ProvenanceMismatch', detail });
    // The flag's conditional write decides who alerts: once, whichever side joined first.
    alert = (await deps.ledger.raiseFlag(repositoryName, digest, { kind: 'provenance-mismatch', key: `${build.pipeline}#${build.buildId}`, time, detail })) === 'created';
  }
  return { repositoryName, digest, pipeline: build.pipeline, buildId: build.buildId, mismatches, alert };
}
