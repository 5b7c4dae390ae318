import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { PackageURL } from 'packageurl-js';
import type { CatalogedPackage, PurlContext } from '../../cataloger';
import { dpkgCataloger } from './index';
import { isInstalledStatus, parseSourceField } from './parse-status';
import { defined } from '../../../../test/support/defined';

const fixture = (name: string): Buffer => fs.readFileSync(path.join(__dirname, 'fixtures', name));
const bookworm: PurlContext = { os: { id: 'debian', versionId: '12', versionCodename: 'bookworm' } };
const STATUS = 'var/lib/dpkg/status';

function byName(pkgs: readonly CatalogedPackage[], name: string): CatalogedPackage {
  const found = pkgs.find((p) => p.name === name);
  if (!found) throw new Error(`no package ${name}`);
  return found;
}

describe('dpkg wants', () => {
  it.each([
    ['var/lib/dpkg/status', true],
    ['var/lib/dpkg/status.d/libssl3', true],
    ['var/lib/dpkg/status.d/base-files_12.4', true],
    ['var/lib/dpkg/status.d/libssl3.md5sums', false],
    ['var/lib/dpkg/status.d/.hidden', false],
    ['var/lib/dpkg/status.d/', false],
    ['var/lib/dpkg/status.d/sub/libssl3', false],
    ['var/lib/dpkg/status-old', false],
    ['var/lib/dpkg/available', false],
    ['var/lib/dpkg/info/libc6:amd64.list', false],
    ['var/lib/dpkg/info/libc6:amd64.md5sums', false],
    ['opt/var/lib/dpkg/status', false],
    ['/var/lib/dpkg/status', false],
    ['usr/share/doc/zlib1g/copyright', true],
    ['usr/share/doc/libc6/copyright', true],
    ['usr/share/doc/copyright', false],
    ['usr/share/doc//copyright', false],
    ['usr/share/doc/zlib1g/examples/copyright', false],
    ['usr/share/doc/zlib1g/changelog.Debian.gz', false],
    ['usr/local/share/doc/foo/copyright', false],
    ['app/node_modules/copyright', false],
  ])('%s → %s', (p, expected) => {
    expect(dpkgCataloger.wants(p)).toBe(expected);
  });
});

describe('dpkg status (Debian bookworm excerpt)', () => {
  const result = dpkgCataloger.parse(STATUS, fixture('status'));

  it('reports exactly the installed and held packages, in file order, without warnings', () => {
    expect(result.warnings).toEqual([]);
    expect(result.packages.map((p) => p.name)).toEqual([
      'base-files',
      'bash',
      'ca-certificates',
      'libc6',
      'libsqlite3-0',
      'tzdata',
      'zlib1g',
      'openssl', // hold ok installed
    ]);
    // rc (deinstall ok config-files), half-installed and unpacked entries are not packages
    for (const absent of ['libpython3.9-minimal', 'cron', 'curl']) {
      expect(result.packages.some((p) => p.name === absent)).toBe(false);
    }
  });

  it('parses a binNMU with a versioned Source', () => {
    expect(byName(result.packages, 'bash')).toEqual({
      ecosystem: 'dpkg',
      name: 'bash',
      version: '5.2.15-2+b8',
      arch: 'amd64',
      sourceName: 'bash',
      sourceVersion: '5.2.15-2',
      licenses: [],
      metadata: {
        maintainer: 'Matthias Klose <doko@debian.org>',
        homepage: 'http://tiswww.case.edu/php/chet/bash/bashtop.html',
        installedSize: '7164',
        section: 'shells',
        description: 'GNU Bourne Again SHell',
      },
    });
  });

  it('keeps the epoch and a plain Source', () => {
    const zlib = byName(result.packages, 'zlib1g');
    expect(zlib).toMatchObject({ version: '1:1.2.13.dfsg-1', arch: 'amd64', sourceName: 'zlib' });
    expect(zlib.sourceVersion).toBeUndefined();
    const libc = byName(result.packages, 'libc6');
    expect(libc).toMatchObject({ version: '2.36-9+deb12u14', arch: 'amd64', sourceName: 'glibc' });
    const tz = byName(result.packages, 'tzdata');
    expect(tz.arch).toBe('all');
    expect(tz.sourceName).toBeUndefined();
  });

  it('percent-encodes names as the purl spec and Syft do', () => {
    const pkg: CatalogedPackage = { ecosystem: 'dpkg', name: 'libstdc++6', version: '12.2.0-14', arch: 'amd64', sourceName: 'gcc-12', licenses: [] };
    expect(dpkgCataloger.purl(pkg, bookworm)).toBe('pkg:deb/debian/libstdc%2B%2B6@12.2.0-14?arch=amd64&distro=debian-12&upstream=gcc-12');
  });

  it('builds Syft-style purls', () => {
    const purls = Object.fromEntries(result.packages.map((p) => [p.name, dpkgCataloger.purl(p, bookworm)]));
    expect(purls).toEqual({
      'base-files': 'pkg:deb/debian/base-files@12.4+deb12u11?arch=amd64&distro=debian-12',
      bash: 'pkg:deb/debian/bash@5.2.15-2+b8?arch=amd64&distro=debian-12&upstream=bash%405.2.15-2',
      'ca-certificates': 'pkg:deb/debian/ca-certificates@20230311+deb12u1?arch=all&distro=debian-12',
      libc6: 'pkg:deb/debian/libc6@2.36-9+deb12u14?arch=amd64&distro=debian-12&upstream=glibc',
      'libsqlite3-0': 'pkg:deb/debian/libsqlite3-0@3.40.1-2+deb12u2?arch=amd64&distro=debian-12&upstream=sqlite3',
      tzdata: 'pkg:deb/debian/tzdata@2025b-0+deb12u2?arch=all&distro=debian-12',
      zlib1g: 'pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12&upstream=zlib',
      openssl: 'pkg:deb/debian/openssl@3.0.15-1~deb12u1?arch=amd64&distro=debian-12',
    });
  });

  it('uses the os-release ID as namespace and omits distro when the OS is unknown', () => {
    const libc = byName(result.packages, 'libc6');
    expect(dpkgCataloger.purl(libc, { os: { id: 'ubuntu', versionId: '22.04' } })).toBe(
      'pkg:deb/ubuntu/libc6@2.36-9+deb12u14?arch=amd64&distro=ubuntu-22.04&upstream=glibc',
    );
    expect(dpkgCataloger.purl(libc, {})).toBe('pkg:deb/debian/libc6@2.36-9+deb12u14?arch=amd64&upstream=glibc');
    // Debian testing/sid have no VERSION_ID: distro is the bare ID, as Syft writes it
    expect(dpkgCataloger.purl(libc, { os: { id: 'debian', versionCodename: 'trixie' } })).toBe(
      'pkg:deb/debian/libc6@2.36-9+deb12u14?arch=amd64&distro=debian&upstream=glibc',
    );
  });

  it('parses the same packages from a CRLF copy', () => {
    const crlf = Buffer.from(fixture('status').toString('utf8').replace(/\n/g, '\r\n'));
    const again = dpkgCataloger.parse(STATUS, crlf);
    expect(again.warnings).toEqual([]);
    expect(again.packages).toEqual(result.packages);
  });
});

describe('dpkg status.d (distroless)', () => {
  it('counts a stanza without Status as installed', () => {
    const result = dpkgCataloger.parse('var/lib/dpkg/status.d/libssl3', fixture('status.d/libssl3'));
    expect(result.warnings).toEqual([]);
    expect(result.packages).toHaveLength(1);
    const ssl = defined(result.packages[0], 'the package');
    expect(ssl).toMatchObject({ name: 'libssl3', version: '3.0.19-1~deb12u2', arch: 'amd64', sourceName: 'openssl' });
    expect(dpkgCataloger.purl(ssl, { os: { id: 'debian', versionId: '12' } })).toBe(
      'pkg:deb/debian/libssl3@3.0.19-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl',
    );
  });

  it('reads several stanzas from one file and still honours an explicit Status', () => {
    const text = [
      'Package: libc6\nVersion: 2.36-9+deb12u4\nArchitecture: amd64\nSource: glibc\n',
      'Package: old\nStatus: deinstall ok config-files\nVersion: 1\nArchitecture: amd64\n',
      'Package: tzdata\nVersion: 2024a-0+deb12u1\nArchitecture: all\n',
    ].join('\n');
    const result = dpkgCataloger.parse('var/lib/dpkg/status.d/multi', Buffer.from(text));
    expect(result.packages.map((p) => `${p.name}@${p.version}`)).toEqual(['libc6@2.36-9+deb12u4', 'tzdata@2024a-0+deb12u1']);
  });

  it('requires Status in the main status file', () => {
    const result = dpkgCataloger.parse(STATUS, Buffer.from('Package: libc6\nVersion: 2.36-9\nArchitecture: amd64\n'));
    expect(result.packages).toEqual([]);
    expect(result.warnings[0]?.message).toMatch(/no Status/);
  });
});

describe('dpkg copyright (DEP-5 and free-form)', () => {
  it('reads the License of the Files stanzas of a machine-readable file', () => {
    const result = dpkgCataloger.parse('usr/share/doc/zlib1g/copyright', fixture('copyright-zlib1g'));
    expect(result).toEqual({ packages: [], warnings: [], licenseFacts: [{ packageName: 'zlib1g', licenses: ['Zlib'] }] });
  });

  it('keeps every distinct short name in order of first appearance, ignoring stand-alone License stanzas', () => {
    const result = dpkgCataloger.parse('usr/share/doc/bash/copyright', fixture('copyright-bash'));
    expect(result.licenseFacts).toEqual([
      {
        packageName: 'bash',
        licenses: [
          'GPL-3+',
          'GPL-3+ with Bison exception',
          'GPL-2+',
          'GFDL-NIV-1.3',
          'Latex2e',
          'BSD-4-clause-UC and MIT-like',
          'permissive',
        ],
      },
    ]);
  });

  it('falls back to /usr/share/common-licenses references in a free-form file', () => {
    const result = dpkgCataloger.parse('usr/share/doc/libc6/copyright', fixture('copyright-libc6'));
    expect(result.packages).toEqual([]);
    expect(result.licenseFacts).toEqual([{ packageName: 'libc6', licenses: ['LGPL-2.1', 'GPL-2'] }]);
  });

  it('counts a header License and strips a trailing full stop from references', () => {
    const dep5 =
      'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nLicense: MIT\n\n' +
      'Files: debian/*\nCopyright: 2024 Someone\nLicense: GPL-2+\n\nLicense: MIT\n Permission is hereby granted...\n';
    expect(dpkgCataloger.parse('usr/share/doc/x/copyright', Buffer.from(dep5)).licenseFacts).toEqual([
      { packageName: 'x', licenses: ['MIT', 'GPL-2+'] },
    ]);
    const freeForm = 'See /usr/share/common-licenses/GPL. Or /usr/share/common-licenses/Artistic\n';
    expect(dpkgCataloger.parse('usr/share/doc/y/copyright', Buffer.from(freeForm)).licenseFacts).toEqual([
      { packageName: 'y', licenses: ['GPL', 'Artistic'] },
    ]);
  });

  it('returns no fact for a file without licences, and skips oversized files', () => {
    expect(dpkgCataloger.parse('usr/share/doc/z/copyright', Buffer.from('Copyright 2020 nobody\n')).licenseFacts).toBeUndefined();
    const big = dpkgCataloger.parse('usr/share/doc/z/copyright', Buffer.alloc(1024 * 1024 + 1, 'a'));
    expect(big.licenseFacts).toBeUndefined();
    expect(big.warnings).toEqual([{ path: 'usr/share/doc/z/copyright', message: 'copyright file larger than 1048576 bytes skipped', impact: 'metadata' }]);
  });

  it('marks its warnings `metadata` (licences only), unlike status warnings, which may hide packages', () => {
    const noLicense = dpkgCataloger.parse('usr/share/doc/z/copyright', Buffer.from('Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nCopyright: x\n'));
    expect(noLicense.warnings).toEqual([{ path: 'usr/share/doc/z/copyright', message: 'machine-readable copyright file without License fields', impact: 'metadata' }]);
    const status = dpkgCataloger.parse(STATUS, Buffer.from('Package: a\nStatus: install ok installed\nVersion: 1\nVersion: 2\n'));
    expect(status.warnings).toHaveLength(1);
    expect(status.warnings[0]).not.toHaveProperty('impact');
  });
});

describe('dpkg helpers', () => {
  it.each([
    ['install ok installed', true],
    ['hold ok installed', true],
    ['  install   ok   installed ', true],
    ['deinstall ok config-files', false],
    ['deinstall ok installed', false],
    ['purge ok not-installed', false],
    ['install reinstreq half-installed', false],
    ['install ok unpacked', false],
    ['install ok half-configured', false],
    ['install ok triggers-pending', false],
    ['install ok', false],
    ['', false],
  ])('Status %j installed → %s', (status, expected) => {
    expect(isInstalledStatus(status)).toBe(expected);
  });

  it.each([
    ['glibc', { name: 'glibc' }],
    ['bash (5.2.15-2)', { name: 'bash', version: '5.2.15-2' }],
    ['  gcc-defaults   (1.203) ', { name: 'gcc-defaults', version: '1.203' }],
    ['foo ()', { name: 'foo' }],
    ['foo bar', { name: 'foo' }],
    ['', undefined],
  ])('Source %j', (value, expected) => {
    expect(parseSourceField(value)).toEqual(expected);
  });
});

describe('dpkg bad input', () => {
  it.each([
    ['empty', Buffer.alloc(0)],
    ['blank lines', Buffer.from('\n\n \n\t\n')],
    ['binary garbage', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) % 256))],
    ['not a stanza', Buffer.from('hello world\nthis is not dpkg\n')],
    ['continuation first', Buffer.from(' orphan continuation\nPackage: x\n')],
    ['non-UTF-8', Buffer.from([0x50, 0x61, 0x63, 0x6b, 0x61, 0x67, 0x65, 0x3a, 0x20, 0xff, 0xfe, 0x0a])],
  ])('%s → no packages, no throw', (_label, content) => {
    const result = dpkgCataloger.parse(STATUS, content);
    expect(result.packages).toEqual([]);
    expect(Array.isArray(result.warnings)).toBe(true);
  });

  it('warns about a truncated last stanza and keeps the complete ones', () => {
    const text = fixture('status').toString('utf8');
    const cut = text.slice(0, text.indexOf('Version: 3.0.15-1~deb12u1')); // openssl stanza loses its Version
    const result = dpkgCataloger.parse(STATUS, Buffer.from(cut));
    expect(result.packages.map((p) => p.name)).not.toContain('openssl');
    expect(result.packages).toHaveLength(7);
    expect(result.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/"openssl" has no Version/)]);
  });

  it('keeps the first of duplicate fields and of duplicate packages, with warnings', () => {
    const text =
      'Package: a\nStatus: install ok installed\nVersion: 1\nVersion: 2\nArchitecture: amd64\n\n' +
      'Package: a\nStatus: install ok installed\nVersion: 3\nArchitecture: amd64\n\n' +
      'Package: a\nStatus: install ok installed\nVersion: 1\nArchitecture: i386\n';
    const result = dpkgCataloger.parse(STATUS, Buffer.from(text));
    expect(result.packages.map((p) => `${p.name}:${p.arch}@${p.version}`)).toEqual(['a:amd64@1', 'a:i386@1']);
    expect(result.warnings).toHaveLength(2);
    expect(result.warnings.every((w) => w.path === STATUS)).toBe(true);
  });

  it('caps warnings for a file full of junk lines', () => {
    const junk = Buffer.from('junk\n'.repeat(10000));
    const result = dpkgCataloger.parse(STATUS, junk);
    expect(result.warnings.length).toBeLessThanOrEqual(51);
    expect(result.warnings.at(-1)?.message).toMatch(/suppressed/);
  });

  it('stays linear on huge lines and many stanzas', () => {
    const started = Date.now();
    dpkgCataloger.parse(STATUS, Buffer.from(`Package: ${'a'.repeat(8_000_000)}\n`));
    dpkgCataloger.parse(STATUS, Buffer.from(`Source${' '.repeat(4_000_000)}x (${'('.repeat(4_000_000)}\n`));
    dpkgCataloger.parse(STATUS, Buffer.from(':'.repeat(8_000_000)));
    dpkgCataloger.parse(STATUS, Buffer.from('Package: p\nStatus: install ok installed\nVersion: 1\n\n'.repeat(100_000)));
    dpkgCataloger.parse('usr/share/doc/x/copyright', Buffer.from('/usr/share/common-licenses/'.repeat(30_000)));
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('dpkg properties', () => {
  const paths = fc.constantFrom(STATUS, 'var/lib/dpkg/status.d/pkg', 'usr/share/doc/pkg/copyright');

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(paths, fc.uint8Array({ maxLength: 2000 }), (p, bytes) => {
        const result = dpkgCataloger.parse(p, Buffer.from(bytes));
        expect(Array.isArray(result.packages)).toBe(true);
        expect(Array.isArray(result.warnings)).toBe(true);
      }),
    );
  });

  it('never throws on stanza-shaped noise', () => {
    const piece = fc.oneof(
      fc.constantFrom('Package:', 'Status:', 'Version:', 'Source:', ' install ok installed', '\n', '\r\n', ' ', '(', ')', ':', '#', '\t', '.'),
      fc.string({ unit: 'binary', maxLength: 8 }),
    );
    fc.assert(
      fc.property(paths, fc.array(piece, { maxLength: 200 }), (p, parts) => {
        const result = dpkgCataloger.parse(p, Buffer.from(parts.join('')));
        for (const pkg of result.packages) {
          expect(pkg.name.length).toBeGreaterThan(0);
          expect(pkg.version.length).toBeGreaterThan(0);
          expect(() => dpkgCataloger.purl(pkg, bookworm)).not.toThrow();
        }
      }),
    );
  });

  const debName = fc.stringMatching(/^[a-z0-9][a-z0-9+.-]{1,20}$/);
  const debVersion = fc
    .tuple(fc.option(fc.nat({ max: 9 }), { nil: undefined }), fc.stringMatching(/^[0-9][A-Za-z0-9.+~]{0,8}$/), fc.option(fc.stringMatching(/^[A-Za-z0-9.+~]{1,6}$/), { nil: undefined }))
    .map(([epoch, upstream, revision]) => `${epoch === undefined ? '' : `${epoch}:`}${upstream}${revision === undefined ? '' : `-${revision}`}`);
  const generated = fc.record({
    name: debName,
    version: debVersion,
    arch: fc.constantFrom('amd64', 'arm64', 'all', 'i386', 'armhf'),
    source: fc.option(fc.tuple(debName, fc.option(debVersion, { nil: undefined })), { nil: undefined }),
    want: fc.constantFrom('install', 'hold'),
    description: fc.array(fc.stringMatching(/^[ -~]{0,30}$/), { maxLength: 3 }),
  });

  it('round-trips generated stanzas', () => {
    fc.assert(
      fc.property(fc.uniqueArray(generated, { selector: (g) => g.name, maxLength: 8 }), fc.boolean(), fc.boolean(), (pkgs, crlf, distroless) => {
        const text = pkgs
          .map((g) => {
            const lines = [`Package: ${g.name}`];
            if (!distroless) lines.push(`Status: ${g.want} ok installed`);
            lines.push('Priority: optional', `Architecture: ${g.arch}`);
            if (g.source) lines.push(`Source: ${g.source[0]}${g.source[1] ? ` (${g.source[1]})` : ''}`);
            lines.push(`Version: ${g.version}`, 'Description: generated', ...g.description.map((d) => ` ${d.trim() || '.'}`));
            return lines.join('\n');
          })
          .join('\n\n');
        const content = Buffer.from(crlf ? text.replace(/\n/g, '\r\n') : text);
        const result = dpkgCataloger.parse(distroless ? 'var/lib/dpkg/status.d/gen' : STATUS, content);
        expect(result.warnings).toEqual([]);
        expect(result.packages.map((p) => [p.name, p.version, p.arch])).toEqual(pkgs.map((g) => [g.name, g.version, g.arch]));
        result.packages.forEach((p, i) => {
          const src = pkgs[i]?.source;
          const srcVersion = src?.[1] !== undefined && src[1] !== p.version ? src[1] : undefined;
          expect(p.sourceVersion).toBe(srcVersion);
          expect(p.sourceName).toBe(src && (src[0] !== p.name || srcVersion) ? src[0] : undefined);
          const purl = PackageURL.fromString(dpkgCataloger.purl(p, bookworm));
          expect([purl.type, purl.namespace, purl.name, purl.version]).toEqual(['deb', 'debian', p.name, p.version]);
          expect(purl.qualifiers?.arch).toBe(p.arch);
          expect(purl.qualifiers?.upstream).toBe(p.sourceName && (p.sourceVersion ? `${p.sourceName}@${p.sourceVersion}` : p.sourceName));
        });
      }),
    );
  });

  const segment = fc.stringMatching(/^[^/]{1,20}$/);

  it('wants exactly the dpkg database and doc copyright paths', () => {
    fc.assert(
      fc.property(segment, (s) => {
        expect(dpkgCataloger.wants(`var/lib/dpkg/status.d/${s}`)).toBe(!s.startsWith('.') && !s.endsWith('.md5sums'));
        expect(dpkgCataloger.wants(`usr/share/doc/${s}/copyright`)).toBe(true);
        expect(dpkgCataloger.wants(`usr/share/doc/${s}/copyright.gz`)).toBe(false);
        expect(dpkgCataloger.wants(`${s}/var/lib/dpkg/status`)).toBe(false);
        expect(dpkgCataloger.wants(`var/lib/dpkg/status.d/${s}/${s}`)).toBe(false);
      }),
    );
  });
});
