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
 *   TAG#<host/repo>:<tag>        / TAG               first digest the tag pointed at
 */
export const RecordsTable = {
  partitionKey: 'pk',
  sortKey: 'sk',
  digestIndex: { name: 'byDigest', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  /** The table's TTL attribute (epoch seconds): only processing leases carry it. */
  timeToLiveAttribute: 'expiresAt',
} as const;

export const artifactKey = (repositoryName: string, digest: string): string => `ARTIFACT#${repositoryName}@${digest}`;
export const tagKey = (repositoryName: string, tag: string): string => `TAG#${repositoryName}:${tag}`;
