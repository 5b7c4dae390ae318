import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { PackageURL } from 'packageurl-js';
import type { CatalogedPackage, PurlContext } from '../../cataloger';
import { apkCataloger } from './index';
import { splitApkLicense } from './parse-installed';

const DB = 'lib/apk/db/installed';
const fixture = (): Buffer => fs.readFileSync(path.join(__dirname, 'fixtures', 'installed'));
const alpine319: PurlContext = { os: { id: 'alpine', versionId: '3.19.1' } };

function byName(pkgs: readonly CatalogedPackage[], name: string): CatalogedPackage {
  const found = pkgs.find((p) => p.name === name);
  if (!found) throw new Error(`no package ${name}`);
  return found;
}

describe('apk wants', () => {
  it.each([
    ['lib/apk/db/installed', true],
    ['usr/lib/apk/db/installed', true],
    ['lib/apk/db/installed.new', false],
    ['lib/apk/db/scripts.tar', false],
    ['lib/apk/db/triggers', false],
    ['etc/apk/world', false],
    ['var/lib/apk/db/installed', false],
    ['/lib/apk/db/installed', false],
    ['chroot/lib/apk/db/installed', false],
  ])('%s → %s', (p, expected) => {
    expect(apkCataloger.wants(p)).toBe(expected);
  });
});

describe('apk installed (Alpine 3.19 excerpt)', () => {
  const result = apkCataloger.parse(DB, fixture());

  it('reports every entry without warnings', () => {
    expect(result.warnings).toEqual([]);
    expect(result.packages.map((p) => `${p.name}@${p.version}`)).toEqual([
      'alpine-baselayout-data@3.4.3-r2',
      'musl@1.2.4_git20230717-r4',
      'busybox@1.36.1-r15',
      'busybox-binsh@1.36.1-r15',
      'ca-certificates-bundle@20230506-r0',
      'libcrypto3@3.1.4-r5',
      'zlib@1.3.1-r0',
      'scanelf@1.3.7-r2',
      'libc-utils@0.7.2-r5',
    ]);
  });

  it('parses every field of an entry', () => {
    expect(byName(result.packages, 'busybox-binsh')).toEqual({
      ecosystem: 'apk',
      name: 'busybox-binsh',
      version: '1.36.1-r15',
      arch: 'x86_64',
      sourceName: 'busybox',
      licenses: ['GPL-2.0-only'],
      metadata: {
        maintainer: 'Sören Tempel <soeren+alpine@soeren-tempel.net>',
        url: 'https://busybox.net/',
        description: 'busybox ash /bin/sh',
        commit: '4dd66327774336225b9ab5186c95d8ef464e1545',
      },
    });
    const musl = byName(result.packages, 'musl');
    expect(musl.sourceName).toBeUndefined(); // origin equals name
    expect(musl.licenses).toEqual(['MIT']);
    expect(byName(result.packages, 'ca-certificates-bundle').licenses).toEqual(['MPL-2.0 AND MIT']);
  });

  it('builds Syft-style purls', () => {
    const purls = result.packages.map((p) => apkCataloger.purl(p, alpine319));
    expect(purls).toEqual([
      'pkg:apk/alpine/alpine-baselayout-data@3.4.3-r2?arch=x86_64&distro=alpine-3.19.1&upstream=alpine-baselayout',
      'pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=alpine-3.19.1',
      'pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64&distro=alpine-3.19.1',
      'pkg:apk/alpine/busybox-binsh@1.36.1-r15?arch=x86_64&distro=alpine-3.19.1&upstream=busybox',
      'pkg:apk/alpine/ca-certificates-bundle@20230506-r0?arch=x86_64&distro=alpine-3.19.1&upstream=ca-certificates',
      'pkg:apk/alpine/libcrypto3@3.1.4-r5?arch=x86_64&distro=alpine-3.19.1&upstream=openssl',
      'pkg:apk/alpine/zlib@1.3.1-r0?arch=x86_64&distro=alpine-3.19.1',
      'pkg:apk/alpine/scanelf@1.3.7-r2?arch=x86_64&distro=alpine-3.19.1&upstream=pax-utils',
      'pkg:apk/alpine/libc-utils@0.7.2-r5?arch=x86_64&distro=alpine-3.19.1&upstream=libc-dev',
    ]);
  });

  it('defaults the namespace to alpine, follows other apk distros, omits distro when unknown', () => {
    const zlib = byName(result.packages, 'zlib');
    expect(apkCataloger.purl(zlib, {})).toBe('pkg:apk/alpine/zlib@1.3.1-r0?arch=x86_64');
    expect(apkCataloger.purl(zlib, { os: { id: 'wolfi', versionId: '20230201' } })).toBe(
      'pkg:apk/wolfi/zlib@1.3.1-r0?arch=x86_64&distro=wolfi-20230201',
    );
  });

  it('parses the same packages from a CRLF copy without a trailing blank line', () => {
    const crlf = Buffer.from(fixture().toString('utf8').trimEnd().replace(/\n/g, '\r\n'));
    const again = apkCataloger.parse(DB, crlf);
    expect(again.warnings).toEqual([]);
    expect(again.packages).toEqual(result.packages);
  });
});

describe('apk licences', () => {
  it.each([
    ['MIT', ['MIT']],
    ['MPL-2.0 AND MIT', ['MPL-2.0 AND MIT']],
    ['GPL-2.0-or-later WITH Classpath-exception-2.0', ['GPL-2.0-or-later WITH Classpath-exception-2.0']],
    ['(MIT OR Apache-2.0) AND BSD-3-Clause', ['(MIT OR Apache-2.0) AND BSD-3-Clause']],
    ['MIT BSD GPL2+', ['MIT', 'BSD', 'GPL2+']],
    ['  ', []],
  ])('%j → %j', (value, expected) => {
    expect(splitApkLicense(value)).toEqual(expected);
  });
});

describe('apk bad input', () => {
  it.each([
    ['empty', ''],
    ['blank', '\n\n\n'],
    ['garbage', '\u0000\u0001binary\u00ff\n:::\n'],
    ['no P', 'V:1.0-r0\nA:x86_64\n'],
    ['no V', 'P:musl\nA:x86_64\n'],
    ['file records only', 'F:etc\nR:passwd\nZ:Q1abc=\n'],
  ])('%s → no packages, no throw', (_label, text) => {
    const result = apkCataloger.parse(DB, Buffer.from(text));
    expect(result.packages).toEqual([]);
  });

  it('warns about entries without a name or version and keeps the rest', () => {
    const result = apkCataloger.parse(DB, Buffer.from('P:a\nV:1-r0\n\nP:b\n\nV:2-r0\n\nP:c\nV:3-r0\nP:dup\n'));
    expect(result.packages.map((p) => p.name)).toEqual(['a', 'c']);
    expect(result.warnings.map((w) => w.message)).toEqual([
      expect.stringMatching(/line 4: .*without V/),
      expect.stringMatching(/line 6: .*without P/),
      expect.stringMatching(/line 10: duplicate field P/),
    ]);
  });

  it('warns about lines that are not X:value', () => {
    const result = apkCataloger.parse(DB, Buffer.from('P:a\nV:1-r0\nhello\n:x\n'));
    expect(result.packages.map((p) => p.name)).toEqual(['a']);
    expect(result.warnings).toHaveLength(2);
  });

  it('reads a truncated file up to the cut', () => {
    const text = fixture().toString('utf8');
    const cut = text.slice(0, text.indexOf('V:1.3.7-r2')); // scanelf loses its version
    const result = apkCataloger.parse(DB, Buffer.from(cut));
    expect(result.packages).toHaveLength(7);
    expect(result.warnings).toHaveLength(1);
  });

  it('stays linear on huge lines', () => {
    const started = Date.now();
    apkCataloger.parse(DB, Buffer.from(`P:${'x'.repeat(8_000_000)}\nL:${'a '.repeat(2_000_000)}(\n`));
    apkCataloger.parse(DB, Buffer.from('P:x\nV:1\n\n'.repeat(300_000)));
    apkCataloger.parse(DB, Buffer.from('L:MIT AN'.repeat(1_000_000)));
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('apk properties', () => {
  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        const result = apkCataloger.parse(DB, Buffer.from(bytes));
        for (const pkg of result.packages) expect(() => apkCataloger.purl(pkg, alpine319)).not.toThrow();
      }),
    );
  });

  it('never throws on apk-shaped noise', () => {
    const piece = fc.oneof(
      fc.constantFrom('P:', 'V:', 'A:', 'L:', 'o:', '\n', '\r\n', ':', ' ', 'AND', '('),
      fc.string({ unit: 'binary', maxLength: 6 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 200 }), (parts) => {
        const result = apkCataloger.parse(DB, Buffer.from(parts.join('')));
        for (const pkg of result.packages) {
          expect(pkg.name).not.toBe('');
          expect(() => apkCataloger.purl(pkg, {})).not.toThrow();
        }
      }),
    );
  });

  const apkName = fc.stringMatching(/^[a-z0-9][a-z0-9+._-]{0,20}$/);
  const generated = fc.record({
    name: apkName,
    version: fc.stringMatching(/^[0-9]{1,3}(\.[0-9]{1,3}){0,3}(_git[0-9]{8})?-r[0-9]{1,2}$/),
    arch: fc.constantFrom('x86_64', 'aarch64', 'armv7', 'noarch'),
    origin: fc.option(apkName, { nil: undefined }),
    license: fc.constantFrom('MIT', 'GPL-2.0-only', 'MPL-2.0 AND MIT', 'Apache-2.0 OR MIT'),
    files: fc.array(fc.stringMatching(/^[a-z]{1,8}$/), { maxLength: 3 }),
  });

  it('round-trips generated entries', () => {
    fc.assert(
      fc.property(fc.array(generated, { maxLength: 8 }), fc.boolean(), (pkgs, crlf) => {
        const text = pkgs
          .map((g) =>
            [
              'C:Q1AAAAAAAAAAAAAAAAAAAAAAAAAAA=',
              `P:${g.name}`,
              `V:${g.version}`,
              `A:${g.arch}`,
              'S:1234',
              `L:${g.license}`,
              ...(g.origin ? [`o:${g.origin}`] : []),
              'm:Someone <someone@example.org>',
              ...g.files.flatMap((f) => ['F:usr/lib', `R:${f}`, 'Z:Q1AAAAAAAAAAAAAAAAAAAAAAAAAAA=']),
            ].join('\n'),
          )
          .join('\n\n');
        const result = apkCataloger.parse(DB, Buffer.from(crlf ? text.replace(/\n/g, '\r\n') : `${text}\n\n`));
        expect(result.warnings).toEqual([]);
        expect(result.packages.map((p) => [p.name, p.version, p.arch, p.licenses])).toEqual(
          pkgs.map((g) => [g.name, g.version, g.arch, [g.license]]),
        );
        result.packages.forEach((p, i) => {
          const origin = pkgs[i]?.origin;
          expect(p.sourceName).toBe(origin && origin !== p.name ? origin : undefined);
          const purl = PackageURL.fromString(apkCataloger.purl(p, alpine319));
          expect([purl.type, purl.namespace, purl.name, purl.version]).toEqual(['apk', 'alpine', p.name, p.version]);
          expect(purl.qualifiers?.upstream).toBe(p.sourceName);
          expect(purl.qualifiers?.distro).toBe('alpine-3.19.1');
        });
      }),
    );
  });

  it('wants only the two database paths', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[ -~]{0,30}$/), (p) => {
        expect(apkCataloger.wants(p)).toBe(p === 'lib/apk/db/installed' || p === 'usr/lib/apk/db/installed');
        expect(apkCataloger.wants(`${p}/lib/apk/db/installed`)).toBe(p === 'usr');
      }),
    );
  });
});
