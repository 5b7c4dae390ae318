import type { AuditEntry } from '../core/audit';
import { auditEntryOf } from '../core/audit';
import { BadInputError } from '../core/errors';
import { parseReference, repositoryName as nameOf } from '../oci/reference';
import type { BuildRecord, Flag, LedgerStore, PushRecord, TagPush } from '../ports/ledger-store';
import type { ArtifactRecord, RecordStore } from '../ports/record-store';

/** Everything the ledger holds about one digest of one repository. */
export interface ArtifactHistory {
  readonly repositoryName: string;
  readonly digest: string;
  readonly artifact?: ArtifactRecord;
  readonly processed: boolean;
  /** Each tag this digest was pushed under, with every push of that tag (moves are violations). */
  readonly tags: readonly { readonly tag: string; readonly boundTo?: string; readonly pushes: readonly TagPush[] }[];
  readonly builds: readonly BuildRecord[];
  readonly pushers: readonly PushRecord[];
  readonly evidence: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly decisions: readonly AuditEntry[];
  readonly flags: readonly Flag[];
  /** The append-only trail, oldest first. */
  readonly trail: readonly AuditEntry[];
}

export interface LedgerReaders {
  readonly records: RecordStore;
  readonly ledger: LedgerStore;
}

/** `HOST/REPO@sha256:…` as is; `HOST/REPO:TAG` through the tag's binding in the ledger (no registry is asked). */
export async function resolveInLedger(stores: LedgerReaders, reference: string): Promise<{ repositoryName: string; digest: string }> {
  const ref = parseReference(reference);
  const repositoryName = nameOf(ref);
  if (ref.digest) return { repositoryName, digest: ref.digest };
  const tag = ref.tag ?? 'latest';
  const digest = await stores.ledger.tagBinding(repositoryName, tag);
  if (!digest) throw new BadInputError(`${repositoryName}:${tag} is not in the ledger (no push of that tag was recorded; give HOST/REPO@sha256:… or process it first)`);
  return { repositoryName, digest };
}

export async function loadHistory(stores: LedgerReaders, repositoryName: string, digest: string): Promise<ArtifactHistory> {
  const { records, ledger } = stores;
  const target = `${repositoryName}@${digest}`;
  const trail = (await records.listEvents(repositoryName, digest)).map((e) => auditEntryOf(target, e));
  const tagNames = [...new Set(trail.flatMap((e) => (typeof e.detail.tag === 'string' && e.detail.tag ? [e.detail.tag] : [])))].sort();
  const tags = await Promise.all(
    tagNames.map(async (tag) => {
      const boundTo = await ledger.tagBinding(repositoryName, tag);
      return { tag, ...(boundTo ? { boundTo } : {}), pushes: await ledger.tagHistory(repositoryName, tag) };
    }),
  );
  const artifact = await records.getArtifact(repositoryName, digest);
  return {
    repositoryName,
    digest,
    ...(artifact ? { artifact } : {}),
    processed: await records.isProcessed(repositoryName, digest),
    tags,
    builds: await ledger.buildsOf(digest),
    pushers: (await ledger.pushersOf(digest)).filter((p) => p.repositoryName === repositoryName),
    evidence: await records.getEvidence(repositoryName, digest),
    decisions: trail.filter((e) => e.action === 'gate'),
    flags: await ledger.flagsOf(repositoryName, digest),
    trail,
  };
}

/** True when the ledger knows nothing of the digest in that repository. */
export function isEmptyHistory(h: ArtifactHistory): boolean {
  return !h.artifact && h.trail.length === 0 && h.builds.length === 0 && h.pushers.length === 0;
}
