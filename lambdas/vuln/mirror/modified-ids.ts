/**
 * OSV's per-ecosystem change listing, `<ECOSYSTEM>/modified_id.csv` in the export bucket: one
 * line per record, `<modified, RFC 3339>,<ID>`, newest first (google/osv.dev exporter README:
 * "contains the (modified, ID) of each vulnerability in the ecosystem directory"; the bucket-wide
 * `/modified_id.csv` writes `<ECOSYSTEM>/<ID>` instead, which is accepted too). A line that does
 * not have that shape means the download is not the listing (truncated, an error page): the whole
 * listing is refused, never half-used.
 */
import { BadInputError } from '../../core/errors';

export interface ModifiedEntry {
  readonly modified: string;
  readonly id: string;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

export function parseModifiedIds(text: string, origin: string): ModifiedEntry[] {
  const out: ModifiedEntry[] = [];
  const lines = text.split('\n');
  // A complete listing ends with a newline; a last line without one was cut off mid-way.
  if (text.length > 0 && !text.endsWith('\n')) throw new BadInputError(`${origin}: truncated (the last line has no end)`);
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line === '') return;
    const comma = line.indexOf(',');
    const modified = line.slice(0, comma);
    const id = line.slice(comma + 1).replace(/^.*\//, '');
    if (comma <= 0 || !Number.isFinite(Date.parse(modified)) || !ID.test(id)) throw new BadInputError(`${origin}: line ${i + 1} is not "<modified>,<id>": ${JSON.stringify(line.slice(0, 120))}`);
    out.push({ modified, id });
  });
  return out;
}

/**
 * Entries modified at or after the cursor (the newest `modified` the mirror holds). "At" is
 * included: two records can share a timestamp and the mirror may hold only one of them; the
 * caller skips records whose stored copy has the same `modified`.
 */
export function changedSince(entries: readonly ModifiedEntry[], cursor: string | undefined): ModifiedEntry[] {
  if (cursor === undefined) return [...entries];
  const since = Date.parse(cursor);
  return entries.filter((e) => Date.parse(e.modified) >= since);
}
