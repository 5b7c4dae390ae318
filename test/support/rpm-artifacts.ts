import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A package to build with rpmbuild (no files: only its header matters). */
export interface RpmSpec {
  readonly name: string;
  readonly version: string;
  readonly release: string;
  readonly epoch?: number;
  readonly license: string;
  readonly vendor?: string;
  readonly arch: 'noarch' | 'x86_64' | 'aarch64';
}

export interface RpmDatabase {
  readonly dir: string;
  /** The sqlite database file rpm wrote. */
  readonly sqlite: string;
  /** `rpm -qa` on it: NAME|EPOCH|VERSION|RELEASE|ARCH|SOURCERPM|LICENSE|VENDOR per line, `(none)` for absent tags. */
  query(): string[];
  cleanup(): void;
}

export const RPM_QUERY_FORMAT = '%{NAME}|%{EPOCH}|%{VERSION}|%{RELEASE}|%{ARCH}|%{SOURCERPM}|%{LICENSE}|%{VENDOR}\\n';

/**
 * Builds real packages with rpmbuild, installs them into a fresh sqlite rpm database with
 * `rpm --justdb`, and imports a freshly generated OpenPGP key (a real gpg-pubkey entry).
 */
export function buildRpmDatabase(specs: readonly RpmSpec[], opts: { importKey?: boolean } = {}): RpmDatabase {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-rpm-'));
  const top = path.join(dir, 'top');
  const db = path.join(dir, 'db');
  fs.mkdirSync(db);
  const rpms: string[] = [];
  for (const s of specs) {
    const spec = path.join(dir, `${s.name}.spec`);
    fs.writeFileSync(
      spec,
      [
        `Name: ${s.name}`,
        `Version: ${s.version}`,
        `Release: ${s.release}`,
        ...(s.epoch !== undefined ? [`Epoch: ${s.epoch}`] : []),
        'Summary: artifact-guard test package',
        `License: ${s.license}`,
        ...(s.vendor ? [`Vendor: ${s.vendor}`] : []),
        ...(s.arch === 'noarch' ? ['BuildArch: noarch'] : []),
        '%description',
        'A package for the rpm cataloger tests.',
        '%files',
        '',
      ].join('\n'),
    );
    execFileSync('rpmbuild', ['-bb', '--quiet', '--target', s.arch, '--define', `_topdir ${top}`, '--define', '_build_id_links none', spec], { stdio: 'pipe' });
    rpms.push(path.join(top, 'RPMS', s.arch, `${s.name}-${s.version}-${s.release}.${s.arch}.rpm`));
  }
  const rpm = (...args: string[]) => execFileSync('rpm', ['--dbpath', db, ...args], { stdio: 'pipe', encoding: 'utf8' });
  rpm('--initdb');
  rpm('-i', '--justdb', '--nodeps', '--noscripts', '--notriggers', '--nosignature', '--nodigest', '--ignorearch', '--ignoreos', ...rpms);
  if (opts.importKey) {
    const home = path.join(dir, 'gnupg');
    fs.mkdirSync(home, { mode: 0o700 });
    const env = { ...process.env, GNUPGHOME: home };
    execFileSync('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', 'Artifact Guard Test <test@example.com>', 'ed25519', 'sign', 'never'], { env, stdio: 'pipe' });
    fs.writeFileSync(path.join(dir, 'key.asc'), execFileSync('gpg', ['--armor', '--export', 'test@example.com'], { env }));
    rpm('--import', path.join(dir, 'key.asc'));
  }
  return {
    dir,
    sqlite: path.join(db, 'rpmdb.sqlite'),
    query: () => rpm('-qa', '--qf', RPM_QUERY_FORMAT).trim().split('\n').sort(),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** A tag value for {@link writeRpmHeader}: a string (STRING), a string list (STRING_ARRAY) or an int32 list (INT32). */
export type RpmTagValue = string | readonly string[] | readonly number[];

/**
 * Writes an rpm header blob as rpm stores it in the database (lib/header.c headerExport): a
 * HEADER_IMMUTABLE region entry first, the tags in ascending order with INT32 data 4-aligned,
 * and the region trailer at the end of the data.
 */
export function writeRpmHeader(tags: ReadonlyMap<number, RpmTagValue>): Buffer {
  const sorted = [...tags.entries()].sort((a, b) => a[0] - b[0]);
  const data: Buffer[] = [];
  let dl = 0;
  const index: { tag: number; type: number; offset: number; count: number }[] = [];
  for (const [tag, value] of sorted) {
    if (typeof value === 'string') {
      const b = Buffer.from(`${value}\0`);
      index.push({ tag, type: 6, offset: dl, count: 1 });
      data.push(b);
      dl += b.length;
    } else if (value.length && typeof value[0] === 'number') {
      const pad = (4 - (dl % 4)) % 4;
      if (pad) {
        data.push(Buffer.alloc(pad));
        dl += pad;
      }
      const b = Buffer.alloc(4 * value.length);
      (value as readonly number[]).forEach((v, i) => b.writeInt32BE(v, 4 * i));
      index.push({ tag, type: 4, offset: dl, count: value.length });
      data.push(b);
      dl += b.length;
    } else {
      const b = Buffer.from((value as readonly string[]).map((s) => `${s}\0`).join(''));
      index.push({ tag, type: 8, offset: dl, count: value.length });
      data.push(b);
      dl += b.length;
    }
  }
  const il = index.length + 1;
  // Region trailer: tag 63, BIN, offset -(il * 16), count 16.
  const trailer = Buffer.alloc(16);
  trailer.writeInt32BE(63, 0);
  trailer.writeUInt32BE(7, 4);
  trailer.writeInt32BE(-(il * 16), 8);
  trailer.writeUInt32BE(16, 12);
  const regionOffset = dl;
  data.push(trailer);
  dl += 16;
  const head = Buffer.alloc(8 + 16 * il);
  head.writeInt32BE(il, 0);
  head.writeInt32BE(dl, 4);
  const entry = (i: number, tag: number, type: number, offset: number, count: number) => {
    head.writeInt32BE(tag, 8 + 16 * i);
    head.writeUInt32BE(type, 12 + 16 * i);
    head.writeInt32BE(offset, 16 + 16 * i);
    head.writeUInt32BE(count, 20 + 16 * i);
  };
  entry(0, 63, 7, regionOffset, 16);
  index.forEach((e, i) => entry(i + 1, e.tag, e.type, e.offset, e.count));
  return Buffer.concat([head, ...data]);
}
