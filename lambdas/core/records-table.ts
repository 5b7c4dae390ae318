/**
 * The records table's key schema, shared by the DynamoDB adapter, the local dynalite setup and
 * (checked by a test) the CDK table.
 *
 * Items (pk / sk):
 *   ARTIFACT#<host/repo>@<digest> / ARTIFACT          the artifact as first seen (gsi1: DIGEST#<digest>)
 *   ARTIFACT#<host/repo>@<digest> / EVIDENCE#<kind>   sbom, scan, signature#…, one item each
 *   ARTIFACT#<host/repo>@<digest> / EVENT#<time>#<id> append-only audit trail
 *   ARTIFACT#<host/repo>@<digest> / PROCESSING        the processing lease (owner, expiresAt: TTL, epoch seconds)
 *   ARTIFACT#<host/repo>@<digest> / PROCESSED         the workflow completed (idempotency)
 *   ARTIFACT#<host/repo>@<digest> / FLAG#<kind>#<key> a finding about the artifact, raised once (provenance-mismatch, tag-policy)
 *   TAG#<host/repo>:<tag>        / TAG               first digest the tag pointed at
 *   TAG#<host/repo>:<tag>        / PUSH#<time>#<digest>  every push of the tag: bound, again, or a violation
 *   DIGEST#<digest>              / BUILD#<pipeline>#<build id>   a CI build that reported this digest
 *   DIGEST#<digest>              / PUSHER#<time>#<event id>      who pushed it (CloudTrail PutImage)
 *   BUILD#<pipeline>#<build id>  / BUILD             the build as CI reported it (success or failure)
 *   AUDIT#<yyyy-mm-dd>           / <time>#<id>#<target>  the audit index: every audit entry of that UTC day
 *                                                    (gsi2: ACTOR#<actor> / <time>#<id>#<target>)
 *
 * The vulnerability watch (issue 16) adds prefixes of its own, nothing in the items above:
 *   PKG#<base ecosystem>#<name>   / <host/repo>@<digest>#<manifest>#<purl>   component index
 *   ECOSYSTEMS                    / <base ecosystem>  ecosystems the index holds (what to mirror)
 *   PENDING#<base ecosystem>      / <host/repo>@<digest>  incomplete for lack of data: re-evaluate
 *   SCANS#<host/repo>@<digest>    / <time>#<id>       later scans (the first stays EVIDENCE#scan)
 */
export const RecordsTable = {
  partitionKey: 'pk',
  sortKey: 'sk',
  digestIndex: { name: 'byDigest', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  /** The table's TTL attribute (epoch seconds): only processing leases carry it. */
  timeToLiveAttribute: 'expiresAt',
  /** Audit entries by who acted, in time order (sparse: only AUDIT# items carry its keys). */
  actorIndex: { name: 'byActor', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
} as const;

export const artifactKey = (repositoryName: string, digest: string): string => `ARTIFACT#${repositoryName}@${digest}`;
export const tagKey = (repositoryName: string, tag: string): string => `TAG#${repositoryName}:${tag}`;
export const digestKey = (digest: string): string => `DIGEST#${digest}`;
export const buildKey = (pipeline: string, buildId: string): string => `BUILD#${pipeline}#${buildId}`;
/** The audit index partition of an entry: its UTC day (a time-range query reads one partition per day). */
export const auditDayKey = (time: string): string => `AUDIT#${time.slice(0, 10)}`;
export const actorKey = (actor: string): string => `ACTOR#${actor}`;

export const packageIndexKey = (ecosystemBase: string, name: string): string => `PKG#${ecosystemBase}#${name}`;
export const ECOSYSTEMS_KEY = 'ECOSYSTEMS';
export const pendingKey = (ecosystemBase: string): string => `PENDING#${ecosystemBase}`;
export const scansKey = (repositoryName: string, digest: string): string => `SCANS#${repositoryName}@${digest}`;

/** A component's sort key under its package: the artifact first, so one artifact's entries sit together. */
export function componentSortKey(c: { readonly repository: string; readonly digest: string; readonly manifestDigest: string; readonly purl: string }): string {
  // DynamoDB sort keys hold at most 1,024 bytes; purls are rarely long, but a hostile one could be.
  const purl = c.purl.length > 600 ? `${c.purl.slice(0, 500)}…${c.purl.length}` : c.purl;
  return `${c.repository}@${c.digest}#${c.manifestDigest}#${purl}`;
}
