import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { PackageURL } from 'packageurl-js';
import { npmCataloger } from './index';
import { npmLicenses, splitNpmName } from './parse-package-json';
import { defined } from '../../../../test/support/defined';

const fixture = (name: string): Buffer => fs.readFileSync(path.join(__dirname, 'fixtures', name));
const parse = (name: string, at = 'app/node_modules/x/package.json') => npmCataloger.parse(at, fixture(name));

describe('npm wants', () => {
  it.each([
    ['node_modules/semver/package.json', true],
    ['app/node_modules/semver/package.json', true],
    ['usr/lib/node_modules/npm/node_modules/qrcode-terminal/package.json', true],
    ['app/node_modules/@noble/curves/package.json', true],
    ['app/node_modules/a/node_modules/b/package.json', true],
    ['app/node_modules/a/node_modules/@s/b/package.json', true],
    ['app/node_modules/.pnpm/semver@7.8.6/node_modules/semver/package.json', true],
    ['app/node_modules/x/test/fixtures/node_modules/y/package.json', true],
    ['app/package.json', false],
    ['package.json', false],
    ['app/node_modules/package.json', false],
    ['app/node_modules/semver/lib/package.json', false],
    ['app/node_modules/semver/node_modules/package.json', false],
    ['app/node_modules/@noble/package.json', false],
    ['app/node_modules/@/curves/package.json', false],
    ['app/node_modules/@noble/curves/esm/package.json', false],
    ['app/node_modules/.bin/package.json', false],
    ['app/node_modules/.pnpm/package.json', false],
    ['app/node_modules/_cache/package.json', false],
    ['app/node_modules//package.json', false],
    ['app/node_modules/.package-lock.json', false],
    ['app/package-lock.json', false],
    ['app/node_modules/semver/package.json5', false],
    ['app/node_modules/semver/package.json/x', false],
    ['app/my_node_modules/semver/package.json', false],
  ])('%s → %s', (p, expected) => {
    expect(npmCataloger.wants(p)).toBe(expected);
  });
});

describe('npm package.json', () => {
  it('parses an unscoped package', () => {
    const result = parse('semver.package.json', 'app/node_modules/semver/package.json');
    expect(result).toEqual({
      packages: [
        {
          ecosystem: 'npm',
          name: 'semver',
          version: '7.8.6',
          licenses: ['ISC'],
          metadata: {
            description: 'The semantic version parser used by npm.',
            author: 'GitHub Inc.',
            repository: 'git+https://github.com/npm/node-semver.git',
          },
        },
      ],
      warnings: [],
    });
    expect(npmCataloger.purl(defined(result.packages[0]), {})).toBe('pkg:npm/semver@7.8.6');
  });

  it('parses a scoped package into namespace + name', () => {
    const pkg = defined(parse('noble-curves.package.json').packages[0]);
    expect(pkg).toMatchObject({ ecosystem: 'npm', namespace: 'noble', name: 'curves', version: '2.4.0', licenses: ['MIT'] });
    expect(pkg.metadata?.homepage).toBe('https://paulmillr.com/noble/');
    expect(pkg.metadata?.author).toBe('Paul Miller (https://paulmillr.com)');
    expect(npmCataloger.purl(pkg, {})).toBe('pkg:npm/%40noble/curves@2.4.0');
  });

  it('reads the deprecated license object and the legacy licenses array', () => {
    const lazy = defined(parse('lazy.package.json').packages[0]);
    expect(lazy).toMatchObject({ name: 'lazy', version: '1.0.11', licenses: ['MIT'] });
    expect(lazy.metadata?.author).toBe('Peteris Krumins <peteris.krumins@gmail.com>');
    const [qr] = parse('qrcode-terminal.package.json').packages;
    expect(qr).toMatchObject({ name: 'qrcode-terminal', version: '0.12.0', licenses: ['Apache 2.0'] });
    // both present: `license` wins over the legacy array
    const [crc] = parse('buffer-crc32.package.json').packages;
    expect(crc).toMatchObject({ name: 'buffer-crc32', version: '0.2.13', licenses: ['MIT'] });
  });

  it.each([
    [{ license: 'MIT OR Apache-2.0' }, ['MIT OR Apache-2.0']],
    [{ license: { type: 'BSD-3-Clause', url: 'x' } }, ['BSD-3-Clause']],
    [{ license: ['MIT', { type: 'ISC' }] }, ['MIT', 'ISC']],
    [{ licenses: [{ type: 'MIT' }, { type: 'GPL-2.0' }, 'MIT'] }, ['MIT', 'GPL-2.0']],
    [{ licenses: { type: 'MIT' } }, ['MIT']],
    [{ license: '  ', licenses: ['ISC'] }, ['ISC']],
    [{ license: 42, licenses: [null, {}, { type: 7 }] }, []],
    [{}, []],
  ])('licences of %j', (json, expected) => {
    expect(npmLicenses(json)).toEqual(expected);
  });

  it.each([
    ['@babel/core', { namespace: 'babel', name: 'core' }],
    ['lodash', { name: 'lodash' }],
    ['@babel', undefined],
    ['@/core', undefined],
    ['@babel/', undefined],
    ['@a/b/c', undefined],
    ['a/b', undefined],
    ['a b', undefined],
  ])('name %j', (name, expected) => {
    expect(splitNpmName(name)).toEqual(expected);
  });

  it('lowercases legacy uppercase names in the purl only', () => {
    const result = npmCataloger.parse('node_modules/JSONStream/package.json', Buffer.from('{"name":"JSONStream","version":"1.3.5"}'));
    const pkg = defined(result.packages[0]);
    expect(pkg.name).toBe('JSONStream');
    expect(npmCataloger.purl(pkg, {})).toBe('pkg:npm/jsonstream@1.3.5');
  });
});

describe('npm bad input', () => {
  const at = 'node_modules/x/package.json';
  it.each([
    ['empty', ''],
    ['not JSON', '{"name": "x", "version": '],
    ['garbage', '\u0000\u00ff\u00fe'],
    ['an array', '[{"name":"x","version":"1.0.0"}]'],
    ['null', 'null'],
    ['a string', '"x"'],
    ['no version', '{"name":"x"}'],
    ['no name', '{"version":"1.0.0"}'],
    ['empty name', '{"name":"","version":"1.0.0"}'],
    ['numeric version', '{"name":"x","version":1}'],
    ['bad name', '{"name":"a/b","version":"1.0.0"}'],
    ['space in version', '{"name":"x","version":"1.0.0 beta"}'],
  ])('%s → warning, no package', (_label, text) => {
    const result = npmCataloger.parse(at, Buffer.from(text));
    expect(result.packages).toEqual([]);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]?.path).toBe(at);
  });

  it('copes with a UTF-8 BOM, CRLF, __proto__ keys and deep nesting', () => {
    const ok = npmCataloger.parse(at, Buffer.from('\ufeff{\r\n"__proto__": {"name": "evil"},\r\n"name": "x",\r\n"version": "1.0.0"\r\n}'));
    expect(ok.packages.map((p) => p.name)).toEqual(['x']);
    const deep = npmCataloger.parse(at, Buffer.from(`{"name":"x","version":"1","a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`));
    expect(deep.packages).toHaveLength(1);
    const tooDeep = npmCataloger.parse(at, Buffer.from('['.repeat(1_000_000)));
    expect(tooDeep.packages).toEqual([]);
  });
});

describe('npm properties', () => {
  const at = 'node_modules/x/package.json';

  it('never throws on arbitrary bytes or JSON values', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1000 }), (bytes) => {
        npmCataloger.parse(at, Buffer.from(bytes));
      }),
    );
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = npmCataloger.parse(at, Buffer.from(JSON.stringify(value) ?? ''));
        for (const pkg of result.packages) expect(() => npmCataloger.purl(pkg, {})).not.toThrow();
      }),
    );
  });

  const part = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,20}$/);
  const version = fc.stringMatching(/^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(-[a-z0-9.]{1,8})?$/);

  it('round-trips generated manifests', () => {
    fc.assert(
      fc.property(fc.option(part, { nil: undefined }), part, version, fc.constantFrom('MIT', 'ISC', 'Apache-2.0', '(MIT OR GPL-3.0)'), fc.boolean(), (scope, name, v, license, legacy) => {
        const fullName = scope ? `@${scope}/${name}` : name;
        const manifest = { name: fullName, version: v, ...(legacy ? { licenses: [{ type: license }] } : { license }) };
        const dir = `srv/node_modules/${fullName}`;
        expect(npmCataloger.wants(`${dir}/package.json`)).toBe(true);
        const result = npmCataloger.parse(`${dir}/package.json`, Buffer.from(JSON.stringify(manifest, null, 2)));
        expect(result.warnings).toEqual([]);
        expect(result.packages).toEqual([{ ecosystem: 'npm', name, version: v, ...(scope ? { namespace: scope } : {}), licenses: [license] }]);
        const purl = PackageURL.fromString(npmCataloger.purl(defined(result.packages[0]), {}));
        expect([purl.type, purl.namespace ?? undefined, purl.name, purl.version]).toEqual(['npm', scope ? `@${scope}` : undefined, name, v]);
      }),
    );
  });

  it('wants a manifest exactly when it sits directly in a package dir under node_modules', () => {
    const segment = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,10}$/).filter((s) => s !== 'node_modules');
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 4 }), segment, fc.option(segment, { nil: undefined }), segment, (prefix, pkg, scope, inner) => {
        const base = [...prefix, 'node_modules', ...(scope ? [`@${scope}`] : []), pkg].join('/');
        expect(npmCataloger.wants(`${base}/package.json`)).toBe(true);
        expect(npmCataloger.wants(`${base}/${inner}/package.json`)).toBe(false);
        expect(npmCataloger.wants(`${base}/node_modules/${inner}/package.json`)).toBe(true);
        expect(npmCataloger.wants([...prefix, pkg, 'package.json'].join('/'))).toBe(false);
      }),
    );
  });
});
