/**
 * The records table's key schema, shared by the DynamoDB adapter, the local dynalite setup and
 * (checked by a test) the CDK table.
 *
 * Items (pk / sk):
 *   ARTIFACT#<host/repo>@<digest> / ARTIFACT          the artifact as first seen (gsi1: DIGEST#<digest>)
 *   ARTIFACT#<host/repo>@<digest> / EVIDENCE#<kind>   sbom, scan, signature#…, one item each
 *   ARTIFACT#<host/repo>@<digest> / EVENT#<time>#<id> append-only audit trail
 *   ARTIFACT#<host/repo>@<digest> / PROCESSED         the workflow completed (idempotency)
 *   TAG#<host/repo>:<tag>        / TAG               first digest the tag pointed at
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
} as const;

export const artifactKey = (repositoryName: string, digest: string): string => `ARTIFACT#${repositoryName}@${digest}`;
export const tagKey = (repositoryName: string, tag: string): string => `TAG#${repositoryName}:${tag}`;

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
