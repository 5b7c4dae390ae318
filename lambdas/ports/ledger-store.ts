import type { AuditEntry, AuditQuery } from '../core/audit';
import type { ArtifactRecord, WriteOutcome } from './record-store';

/** A CI build as the pipeline reported it (`record-build`, or a `Build Recorded` event). */
export interface BuildRecord {
  readonly status: 'succeeded' | 'failed';
  readonly commit: string;
  readonly source: string;
  readonly buildId: string;
  readonly pipeline: string;
  readonly author: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  /** The digests it produced (none for a failed build). */
  readonly digests: readonly string[];
  /** `HOST/REPO` of each image it named with `--image` (same order as given), for the reader. */
  readonly repositories: readonly string[];
  readonly reportedAt: string;
  /** Who reported it: `local:<user>` or the sender the recorder knows. */
  readonly reportedBy: string;
}

/** Who pushed a digest: the identity of ECR's PutImage call, from CloudTrail. */
export interface PushRecord {
  readonly repositoryName: string;
  readonly digest: string;
  readonly tag?: string;
  /** The caller's ARN (`userIdentity.arn`; for an assumed role, the session). */
  readonly principal: string;
  readonly account: string;
  readonly sourceIp?: string;
  readonly userAgent?: string;
  readonly time: string;
  /** CloudTrail's eventID: the same call delivered twice is recorded once. */
  readonly eventId: string;
}

/** One push of a tag: the first binds it; the same digest again is `again`; another digest is a `violation`. */
export interface TagPush {
  readonly repositoryName: string;
  readonly tag: string;
  readonly digest: string;
  readonly time: string;
  readonly outcome: 'bound' | 'again' | 'violation';
}

/** A finding about an artifact, raised once per kind and key (so its alert is sent once). */
export interface Flag {
  readonly kind: 'provenance-mismatch' | 'tag-policy' | (string & {});
  readonly key: string;
  readonly time: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

/**
 * Port: the provenance ledger beside the records (the same table in AWS and locally). Builds and
 * pushers are kept by digest, so they join an artifact whichever arrives first; every write is
 * conditional, so a replayed event writes nothing new.
 */
export interface LedgerStore {
  /** The build, and one item per digest it produced. 'exists' when this build id was reported before. */
  putBuild(build: BuildRecord): Promise<WriteOutcome>;
  getBuild(pipeline: string, buildId: string): Promise<BuildRecord | undefined>;
  buildsOf(digest: string): Promise<BuildRecord[]>;
  putPusher(push: PushRecord): Promise<WriteOutcome>;
  pushersOf(digest: string): Promise<PushRecord[]>;
  /** Every repository's artifact record with this digest (the byDigest index). */
  artifactsWithDigest(digest: string): Promise<ArtifactRecord[]>;
  raiseFlag(repositoryName: string, digest: string, flag: Flag): Promise<WriteOutcome>;
  flagsOf(repositoryName: string, digest: string): Promise<Flag[]>;
  recordTagPush(push: TagPush): Promise<WriteOutcome>;
  tagHistory(repositoryName: string, tag: string): Promise<TagPush[]>;
  /** The digest a tag is bound to (its first push), if any. */
  tagBinding(repositoryName: string, tag: string): Promise<string | undefined>;
  /** An audit entry whose target is not an artifact's trail (a build); artifact events go through RecordStore.appendEvent. */
  appendAudit(entry: AuditEntry): Promise<WriteOutcome>;
  /** Entries in time order: by actor from its index, else day by day over the window; never a scan. */
  queryAudit(query: AuditQuery): Promise<AuditEntry[]>;
}
