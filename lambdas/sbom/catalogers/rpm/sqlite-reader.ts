/**
 * A read-only walker of SQLite table b-trees over an in-memory database file (the format at
 * https://www.sqlite.org/fileformat2.html): enough to list the rows of one table. It reads the
 * buffer in place (a row's value is a view, copied only when it spans overflow pages), so an rpm
 * database costs no memory beyond the buffered file; SQLite compiled to WebAssembly (sql.js)
 * first copies the whole file into its own file system.
 *
 * Hostile files are bounded: every offset is checked against the buffer, each page is visited
 * at most once (cycles end the walk), tree depth and overflow chains are limited, and every
 * problem comes back as an error message, never an exception. The write-ahead log beside the
 * file is not read (images are built with checkpointed databases).
 */

export type SqliteValue = null | number | string | Buffer;

const MAGIC = 'SQLite format 3\0';
const MAX_DEPTH = 64;

interface Db {
  readonly buf: Buffer;
  readonly pageSize: number;
  readonly usable: number;
  readonly pages: number;
  readonly encoding: 'utf8' | 'utf16le' | 'utf16be';
}

/** A SQLite varint at `at`: [value, length]; undefined past the end or beyond 2^53. */
function varint(buf: Buffer, at: number, end: number): [number, number] | undefined {
  let v = 0;
  for (let i = 0; i < 9; i++) {
    const b = at + i < end ? buf[at + i] : undefined;
    if (b === undefined) return undefined;
    if (i === 8) {
      v = v * 256 + b;
      return Number.isSafeInteger(v) ? [v, 9] : undefined;
    }
    v = v * 128 + (b & 0x7f);
    if (b < 0x80) return Number.isSafeInteger(v) ? [v, i + 1] : undefined;
  }
  return undefined;
}

function openDb(buf: Buffer): Db | string {
  if (buf.length < 100 || buf.toString('latin1', 0, 16) !== MAGIC) return 'not a SQLite 3 database (bad header)';
  const raw = buf.readUInt16BE(16);
  const pageSize = raw === 1 ? 65536 : raw;
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) return `invalid page size ${raw}`;
  const reserved = buf.readUInt8(20);
  const usable = pageSize - reserved;
  if (usable < 480) return 'invalid reserved space per page';
  const enc = buf.readUInt32BE(56);
  const encoding = enc === 2 ? 'utf16le' : enc === 3 ? 'utf16be' : 'utf8';
  return { buf, pageSize, usable, pages: Math.floor(buf.length / pageSize), encoding };
}

function text(db: Db, bytes: Buffer): string {
  if (db.encoding === 'utf8') return bytes.toString('utf8');
  if (db.encoding === 'utf16le') return bytes.toString('utf16le');
  const swapped = Buffer.from(bytes);
  swapped.swap16();
  return swapped.toString('utf16le');
}

/** The payload of a table leaf cell: inline part plus overflow chain, as one buffer. */
function payload(db: Db, at: number, end: number, size: number, seen: Set<number>): Buffer | string {
  const { buf, usable } = db;
  const x = usable - 35;
  let inline = size;
  if (size > x) {
    const m = Math.floor(((usable - 12) * 32) / 255) - 23;
    const k = m + ((size - m) % (usable - 4));
    inline = k <= x ? k : m;
  }
  if (at + inline > end) return 'cell runs past its page';
  if (inline === size) return buf.subarray(at, at + size);
  if (at + inline + 4 > end) return 'cell runs past its page';
  const parts: Buffer[] = [buf.subarray(at, at + inline)];
  let got = inline;
  let next = buf.readUInt32BE(at + inline);
  while (got < size) {
    if (next < 1 || next > db.pages || seen.has(next)) return `bad overflow page ${next}`;
    seen.add(next);
    const start = (next - 1) * db.pageSize;
    const take = Math.min(usable - 4, size - got);
    parts.push(buf.subarray(start + 4, start + 4 + take));
    got += take;
    next = buf.readUInt32BE(start);
  }
  return Buffer.concat(parts, size);
}

/** Decodes a record (header of serial types, then values); values are views into `rec` where possible. */
function record(db: Db, rec: Buffer): SqliteValue[] | string {
  const h = varint(rec, 0, rec.length);
  if (!h || h[0] > rec.length || h[0] < h[1]) return 'bad record header';
  const values: SqliteValue[] = [];
  let hp = h[1];
  let bp = h[0];
  while (hp < h[0]) {
    const t = varint(rec, hp, h[0]);
    if (!t) return 'bad record header';
    hp += t[1];
    const type = t[0];
    const size = type >= 12 ? Math.floor((type - 12) / 2) : [0, 1, 2, 3, 4, 6, 8, 8, 0, 0, 0, 0][type] ?? 0;
    if (type === 10 || type === 11) return 'reserved serial type';
    if (bp + size > rec.length) return 'record value runs past its payload';
    if (type === 0) values.push(null);
    else if (type === 8 || type === 9) values.push(type - 8);
    else if (type <= 6) values.push(size === 8 ? Number(rec.readBigInt64BE(bp)) : rec.readIntBE(bp, size));
    else if (type === 7) values.push(rec.readDoubleBE(bp));
    else if (type % 2 === 0) values.push(rec.subarray(bp, bp + size));
    else values.push(text(db, rec.subarray(bp, bp + size)));
    bp += size;
  }
  return values;
}

/** Visits every row of the table b-tree rooted at `root`, in rowid order. */
function walk(db: Db, root: number, onRow: (rowid: number, values: SqliteValue[] | string) => void): string | undefined {
  const seen = new Set<number>();
  const visit = (page: number, depth: number): string | undefined => {
    if (depth > MAX_DEPTH) return 'b-tree deeper than 64 levels';
    if (page < 1 || page > db.pages) return `page ${page} outside the file`;
    if (seen.has(page)) return `page ${page} visited twice (corrupt b-tree)`;
    seen.add(page);
    const base = (page - 1) * db.pageSize;
    const hdr = page === 1 ? base + 100 : base;
    const end = base + db.usable;
    const type = db.buf[hdr];
    const cells = db.buf.readUInt16BE(hdr + 3);
    const interior = type === 5;
    if (type !== 5 && type !== 13) return `page ${page} is not a table b-tree page (type ${type})`;
    const pointers = hdr + (interior ? 12 : 8);
    if (pointers + 2 * cells > end) return `page ${page}: cell pointers run past the page`;
    for (let i = 0; i < cells; i++) {
      const cell = base + db.buf.readUInt16BE(pointers + 2 * i);
      if (cell < pointers + 2 * cells || cell >= end) return `page ${page}: cell ${i} outside the page`;
      if (interior) {
        if (cell + 4 > end) return `page ${page}: cell ${i} outside the page`;
        const err = visit(db.buf.readUInt32BE(cell), depth + 1);
        if (err) return err;
        continue;
      }
      const size = varint(db.buf, cell, end);
      const rowid = size ? varint(db.buf, cell + size[1], end) : undefined;
      if (!size || !rowid) return `page ${page}: cell ${i} header unreadable`;
      const data = payload(db, cell + size[1] + rowid[1], end, size[0], seen);
      onRow(rowid[0], typeof data === 'string' ? `row ${rowid[0]}: ${data}` : record(db, data));
    }
    return interior ? visit(db.buf.readUInt32BE(hdr + 8), depth + 1) : undefined;
  };
  return visit(root, 0);
}

/**
 * Calls `onRow` for every row of `table` (matched case-insensitively, as SQL names are): the
 * rowid and the column values, or an error message for a row that cannot be decoded. Returns an
 * error message when the file or the table cannot be read (rows already delivered stand).
 */
export function readSqliteTable(buf: Buffer, table: string, onRow: (rowid: number, values: SqliteValue[] | string) => void): string | undefined {
  const db = openDb(buf);
  if (typeof db === 'string') return db;
  let root: number | undefined;
  const wanted = table.toLowerCase();
  const schemaErr = walk(db, 1, (_rowid, values) => {
    if (typeof values === 'string' || root !== undefined) return;
    const [type, name, , rootpage] = values;
    if (type === 'table' && typeof name === 'string' && name.toLowerCase() === wanted && typeof rootpage === 'number') root = rootpage;
  });
  if (root === undefined) return schemaErr ? `schema unreadable: ${schemaErr}` : `no such table: ${table}`;
  return walk(db, root, onRow);
}
