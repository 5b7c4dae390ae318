import fc from 'fast-check';
import { sqlite } from '../../../../test/support/sqljs';
import type { SqliteValue } from './sqlite-reader';
import { readSqliteTable } from './sqlite-reader';

type Row = [number, SqliteValue[]];

function readAll(buf: Buffer, table: string): { rows: Row[]; err?: string } {
  const rows: Row[] = [];
  const err = readSqliteTable(buf, table, (rowid, values) => {
    if (typeof values === 'string') throw new Error(values);
    rows.push([rowid, values]);
  });
  return { rows, ...(err ? { err } : {}) };
}

/** What SQLite itself returns, in the reader's shapes (blobs as Buffers, the rowid alias as null). */
async function oracle(buf: Buffer, sql: string): Promise<Row[]> {
  const SQL = await sqlite();
  const db = new SQL.Database(buf);
  try {
    const res = db.exec(sql)[0];
    return (res?.values ?? []).map((r) => [r[0] as number, r.slice(1).map((v) => (v instanceof Uint8Array ? Buffer.from(v) : (v as SqliteValue)))]);
  } finally {
    db.close();
  }
}

describe('sqlite reader against SQLite (sql.js as the oracle)', () => {
  it('reads generated tables: page sizes, overflow chains, deletions, every value type (property)', async () => {
    const SQL = await sqlite();
    const value = fc.oneof(
      fc.constant(null),
      fc.integer({ min: -(2 ** 47), max: 2 ** 47 }),
      fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d)),
      fc.string({ maxLength: 30 }),
      // Up to 40 KB: with 512-byte pages that is a chain of ~80 overflow pages.
      fc.integer({ min: 0, max: 40_000 }).map((n) => Buffer.alloc(n, n % 251)),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(512, 1024, 4096, 65536), fc.boolean(), fc.array(fc.tuple(value, value), { maxLength: 30 }), fc.array(fc.nat(40), { maxLength: 10 }), async (pageSize, autoVacuum, rows, deletes) => {
        const db = new SQL.Database();
        db.run(`PRAGMA page_size = ${pageSize}`);
        db.run(`PRAGMA auto_vacuum = ${autoVacuum ? 1 : 0}`);
        db.run("CREATE TABLE 'Packages' (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB, other)");
        db.run('CREATE TABLE decoy (a)');
        for (const [a, b] of rows) db.run('INSERT INTO Packages (blob, other) VALUES (?, ?)', [a as never, b as never]);
        for (const d of deletes) db.run('DELETE FROM Packages WHERE hnum = ?', [d]);
        const buf = Buffer.from(db.export());
        db.close();
        const ours = readAll(buf, 'packages');
        expect(ours.err).toBeUndefined();
        expect(ours.rows).toEqual(await oracle(buf, 'SELECT hnum, NULL, blob, other FROM Packages ORDER BY hnum'));
      }),
      { numRuns: 25 },
    );
  });

  it('reads a large table spread over interior pages, quickly', async () => {
    const SQL = await sqlite();
    const db = new SQL.Database();
    db.run('CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB)');
    db.run('BEGIN');
    for (let i = 1; i <= 20_000; i++) db.run('INSERT INTO Packages VALUES (?, ?)', [i, Buffer.alloc(i % 3000, i % 256)]);
    db.run('COMMIT');
    const buf = Buffer.from(db.export());
    db.close();
    const started = Date.now();
    const { rows, err } = readAll(buf, 'Packages');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(err).toBeUndefined();
    expect(rows).toHaveLength(20_000);
    expect(rows[19_999]?.[1][1]).toEqual(Buffer.alloc(20_000 % 3000, 20_000 % 256));
  });

  it('decodes text of UTF-16 databases', async () => {
    const SQL = await sqlite();
    for (const enc of ['UTF-16le', 'UTF-16be']) {
      const db = new SQL.Database();
      db.run(`PRAGMA encoding = '${enc}'`);
      db.run('CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, name TEXT)');
      db.run("INSERT INTO Packages (name) VALUES ('café ✓'), ('x')");
      const buf = Buffer.from(db.export());
      db.close();
      expect(readAll(buf, 'Packages').rows).toEqual([
        [1, [null, 'café ✓']],
        [2, [null, 'x']],
      ]);
    }
  });

  it('stops at a b-tree page that points back at itself, with an error instead of a loop', async () => {
    const SQL = await sqlite();
    const db = new SQL.Database();
    db.run('PRAGMA page_size = 512');
    db.run('CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB)');
    for (let i = 0; i < 200; i++) db.run('INSERT INTO Packages (blob) VALUES (?)', [Buffer.alloc(100, i)]);
    const buf = Buffer.from(db.export());
    db.close();
    // The table's root is an interior page (type 5): point its right-most child at itself.
    const root = (() => {
      let r = 0;
      for (let p = 2; p <= buf.length / 512; p++) if (buf[(p - 1) * 512] === 5) r = r || p;
      return r;
    })();
    expect(root).toBeGreaterThan(0);
    buf.writeUInt32BE(root, (root - 1) * 512 + 8);
    const err = readSqliteTable(buf, 'Packages', () => undefined);
    expect(err).toMatch(/visited twice/);
  });

  it('never throws or hangs on corrupted databases (property)', async () => {
    const SQL = await sqlite();
    const db = new SQL.Database();
    db.run('PRAGMA page_size = 1024');
    db.run('CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB)');
    for (let i = 0; i < 60; i++) db.run('INSERT INTO Packages (blob) VALUES (?)', [Buffer.alloc(i * 97, i)]);
    const good = Buffer.from(db.export());
    db.close();
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(good.length - 1), fc.nat(255)), { minLength: 1, maxLength: 40 }), fc.nat(good.length), (flips, cut) => {
        const bad = Buffer.from(good.subarray(0, Math.max(cut, 100)));
        for (const [at, v] of flips) if (at < bad.length && at >= 16) bad[at] = v;
        readSqliteTable(bad, 'Packages', () => undefined);
      }),
      { numRuns: 1500 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (bytes) => {
        readSqliteTable(Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.from(bytes)]), 'Packages', () => undefined);
      }),
      { numRuns: 1000 },
    );
  });
});
