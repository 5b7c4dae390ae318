import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { PackageURL } from 'packageurl-js';
import { pythonCataloger } from './index';
import { pythonLicenses, readMetadataHeaders } from './parse-metadata';
import { normalizePythonName } from './purl';
import { WarningSink } from '../common/text';
import { defined } from '../../../../test/support/defined';

const fixture = (name: string): Buffer => fs.readFileSync(path.join(__dirname, 'fixtures', name));
const SITE = 'usr/local/lib/python3.11/site-packages';

describe('python wants', () => {
  it.each([
    [`${SITE}/attrs-26.1.0.dist-info/METADATA`, true],
    ['usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO', true],
    ['usr/lib/python2.7/wsgiref.egg-info', true],
    ['opt/venv/lib/python3.12/site-packages/PyYAML-6.0.dist-info/METADATA', true],
    ['x.dist-info/METADATA', true],
    [`${SITE}/attrs-26.1.0.dist-info/RECORD`, false],
    [`${SITE}/attrs-26.1.0.dist-info/LICENSE`, false],
    [`${SITE}/attrs-26.1.0.dist-info/licenses/METADATA`, false],
    [`${SITE}/attrs-26.1.0.egg-info/METADATA`, false],
    [`${SITE}/attrs-26.1.0.dist-info/PKG-INFO`, false],
    [`${SITE}/.dist-info/METADATA`, false],
    [`${SITE}/.egg-info`, false],
    [`${SITE}/.egg-info/PKG-INFO`, false],
    [`${SITE}/six.egg-info/SOURCES.txt`, false],
    [`${SITE}/six.egg-info/`, false],
    [`${SITE}/six.egg-info.bak`, false],
    ['METADATA', false],
    ['PKG-INFO', false],
    [`${SITE}/attrs/__init__.py`, false],
    ['src/project/PKG-INFO', false],
  ])('%s → %s', (p, expected) => {
    expect(pythonCataloger.wants(p)).toBe(expected);
  });
});

describe('python core metadata', () => {
  it('reads License-Expression (metadata 2.4)', () => {
    const result = pythonCataloger.parse(`${SITE}/attrs-26.1.0.dist-info/METADATA`, fixture('attrs.METADATA'));
    expect(result).toEqual({
      packages: [
        {
          ecosystem: 'python',
          name: 'attrs',
          version: '26.1.0',
          licenses: ['MIT'],
          metadata: { summary: 'Classes Without Boilerplate', authorEmail: 'Hynek Schlawack <hs@ox.cx>' },
        },
      ],
      warnings: [],
    });
    expect(pythonCataloger.purl(defined(result.packages[0]), {})).toBe('pkg:pypi/attrs@26.1.0');
  });

  it('falls back to licence classifiers', () => {
    const [blinker] = pythonCataloger.parse(`${SITE}/blinker-1.9.0.dist-info/METADATA`, fixture('blinker.METADATA')).packages;
    expect(blinker).toMatchObject({ name: 'blinker', version: '1.9.0', licenses: ['MIT License'] });
  });

  it('ignores a pasted licence text in License and uses the classifiers', () => {
    const result = pythonCataloger.parse(`${SITE}/traitlets-5.15.0.dist-info/METADATA`, fixture('traitlets.METADATA'));
    expect(result.warnings).toEqual([]);
    expect(result.packages[0]).toMatchObject({ name: 'traitlets', version: '5.15.0', licenses: ['BSD License'] });
  });

  it('prefers a short License to classifiers and normalises the purl name', () => {
    const yaml = defined(pythonCataloger.parse('usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA', fixture('PyYAML.METADATA')).packages[0]);
    expect(yaml).toMatchObject({ name: 'PyYAML', version: '6.0', licenses: ['MIT'] });
    expect(yaml.metadata).toEqual({
      summary: 'YAML parser and emitter for Python',
      homepage: 'https://pyyaml.org/',
      author: 'Kirill Simonov',
      authorEmail: 'xi@resolvent.net',
    });
    expect(pythonCataloger.purl(yaml, {})).toBe('pkg:pypi/pyyaml@6.0');
  });

  it('reads an egg-info PKG-INFO', () => {
    const result = pythonCataloger.parse('usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO', fixture('six.PKG-INFO'));
    expect(result.warnings).toEqual([]);
    expect(result.packages).toEqual([
      {
        ecosystem: 'python',
        name: 'six',
        version: '1.16.0',
        licenses: ['MIT'],
        metadata: {
          summary: 'Python 2 and 3 compatibility utilities',
          homepage: 'https://github.com/benjaminp/six',
          author: 'Benjamin Peterson',
          authorEmail: 'benjamin@python.org',
        },
      },
    ]);
  });

  it('reads a single-file egg-info', () => {
    const pkg = defined(pythonCataloger.parse('usr/lib/python2.7/wsgiref.egg-info', fixture('wsgiref.egg-info')).packages[0]);
    expect(pkg).toMatchObject({ name: 'wsgiref', version: '0.1.2', licenses: ['PSF or ZPL'] });
    expect(pythonCataloger.purl(pkg, {})).toBe('pkg:pypi/wsgiref@0.1.2');
  });

  it.each([
    ['Foo_Bar', 'foo-bar'],
    ['zope.interface', 'zope-interface'],
    ['A-_.b', 'a-b'],
    ['ruamel.yaml.clib', 'ruamel-yaml-clib'],
  ])('PEP 503 name %s → %s', (name, expected) => {
    expect(normalizePythonName(name)).toBe(expected);
    expect(pythonCataloger.purl({ ecosystem: 'python', name, version: '1.0', licenses: [] }, {})).toBe(`pkg:pypi/${expected}@1.0`);
  });

  it('stops at the first empty line, so the body cannot add headers', () => {
    const text = 'Name: a\r\nVersion: 1.0\r\n\r\nLicense: GPL\r\nVersion: 9\r\n';
    expect(pythonCataloger.parse('a.dist-info/METADATA', Buffer.from(text)).packages).toEqual([
      { ecosystem: 'python', name: 'a', version: '1.0', licenses: [] },
    ]);
  });

  it('keeps the first of duplicate Name/Version headers', () => {
    const text = 'Name: a\nName: b\nVersion: 1\nVersion: 2\n';
    expect(pythonCataloger.parse('a.dist-info/METADATA', Buffer.from(text)).packages[0]).toMatchObject({ name: 'a', version: '1' });
  });
});

describe('python licences', () => {
  const headers = (text: string) => readMetadataHeaders(text.split('\n'), new WarningSink('x'));
  it.each([
    ['License-Expression: MIT OR Apache-2.0\nLicense: BSD\nClassifier: License :: OSI Approved :: MIT License', ['MIT OR Apache-2.0']],
    ['License: UNKNOWN\nClassifier: License :: OSI Approved :: Apache Software License', ['Apache Software License']],
    ['License: \nClassifier: License :: OSI Approved\nClassifier: License :: Public Domain', ['Public Domain']],
    [`License: ${'x'.repeat(101)}`, []],
    ['License: Apache 2.0', ['Apache 2.0']],
    ['Classifier: License :: OSI Approved :: MIT License\nClassifier: License :: OSI Approved :: MIT License', ['MIT License']],
    ['Classifier: Licensed :: Foo', []],
    ['', []],
  ])('%j → %j', (text, expected) => {
    expect(pythonLicenses(headers(text))).toEqual(expected);
  });
});

describe('python bad input', () => {
  const at = `${SITE}/x-1.0.dist-info/METADATA`;
  it.each([
    ['empty', ''],
    ['garbage', '\u0000\u0001\u00ff\n\n\n'],
    ['no Version', 'Metadata-Version: 2.1\nName: x\nSummary: no version\n'],
    ['no Name', 'Metadata-Version: 2.1\nVersion: 1.0\n'],
    ['empty Version', 'Name: x\nVersion:   \n'],
    ['Version only in the body', 'Name: x\n\nVersion: 1.0\n'],
    ['truncated', 'Metadata-Version: 2.1\nNa'],
    ['not headers', 'this is a README\nName: x\nVersion: 1\n'],
    ['JSON', '{"name": "x", "version": "1.0"}'],
  ])('%s → warning, no package, no throw', (_label, text) => {
    const result = pythonCataloger.parse(at, Buffer.from(text));
    expect(result.packages).toEqual([]);
    expect(result.warnings.length).toBeGreaterThan(0);
  });

  it('stays linear on huge headers', () => {
    const started = Date.now();
    pythonCataloger.parse(at, Buffer.from(`Name: x\nVersion: 1\nDescription: a\n${'        |line\n'.repeat(500_000)}`));
    pythonCataloger.parse(at, Buffer.from(`Classifier: ${'License :: '.repeat(500_000)}\nName: x\nVersion: 1\n`));
    pythonCataloger.parse(at, Buffer.from(`${'a'.repeat(8_000_000)}:`));
    pythonCataloger.parse(at, Buffer.from('Classifier: License :: X\n'.repeat(300_000)));
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('python properties', () => {
  const paths = fc.constantFrom(`${SITE}/x-1.dist-info/METADATA`, `${SITE}/x.egg-info/PKG-INFO`, `${SITE}/x-1-py3.11.egg-info`);

  it('never throws on arbitrary bytes or header-shaped noise', () => {
    fc.assert(
      fc.property(paths, fc.uint8Array({ maxLength: 2000 }), (p, bytes) => {
        pythonCataloger.parse(p, Buffer.from(bytes));
      }),
    );
    const piece = fc.oneof(
      fc.constantFrom('Name:', 'Version:', 'License:', 'License-Expression:', 'Classifier: License ::', '::', '\n', '\r\n', ' ', '\t'),
      fc.string({ unit: 'binary', maxLength: 6 }),
    );
    fc.assert(
      fc.property(paths, fc.array(piece, { maxLength: 150 }), (p, parts) => {
        const result = pythonCataloger.parse(p, Buffer.from(parts.join('')));
        for (const pkg of result.packages) expect(() => pythonCataloger.purl(pkg, {})).not.toThrow();
      }),
    );
  });

  const pyName = fc.stringMatching(/^[A-Za-z0-9]([A-Za-z0-9._-]{0,20}[A-Za-z0-9])?$/);
  const pyVersion = fc.stringMatching(/^[0-9]{1,4}(\.[0-9]{1,3}){0,3}((a|b|rc)[0-9]{1,2})?(\.post[0-9])?(\.dev[0-9])?(\+[a-z0-9.]{1,6})?$/);

  it('round-trips generated metadata', () => {
    fc.assert(
      fc.property(
        pyName,
        pyVersion,
        fc.option(fc.constantFrom('MIT', 'Apache-2.0', 'BSD-3-Clause OR MIT'), { nil: undefined }),
        fc.array(fc.stringMatching(/^[ -~]{0,40}$/), { maxLength: 5 }),
        fc.boolean(),
        (name, version, expression, body, crlf) => {
          const lines = [
            'Metadata-Version: 2.4',
            `Name: ${name}`,
            `Version: ${version}`,
            'Summary: generated',
            ...(expression ? [`License-Expression: ${expression}`] : []),
            'Classifier: Programming Language :: Python :: 3',
            'Requires-Dist: requests>=2',
            '',
            ...body,
          ];
          const text = lines.join(crlf ? '\r\n' : '\n');
          const result = pythonCataloger.parse(`${SITE}/${name}-${version}.dist-info/METADATA`, Buffer.from(text));
          expect(result.warnings).toEqual([]);
          expect(result.packages.map((p) => [p.name, p.version, p.licenses])).toEqual([[name, version, expression ? [expression] : []]]);
          const purl = PackageURL.fromString(pythonCataloger.purl(defined(result.packages[0]), {}));
          expect([purl.type, purl.name, purl.version]).toEqual(['pypi', normalizePythonName(name), version]);
        },
      ),
    );
  });

  /** Reference model of the wanted paths, written from the spec rather than the implementation. */
  const model = (p: string): boolean => {
    const [base = '', parent = ''] = p.split('/').reverse();
    const stemmed = (s: string, suffix: string) => s.endsWith(suffix) && s.length > suffix.length;
    if (base === 'METADATA') return stemmed(parent, '.dist-info');
    if (base === 'PKG-INFO') return stemmed(parent, '.egg-info');
    return stemmed(base, '.egg-info');
  };

  it('wants metadata files at any depth and nothing beside them', () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/);
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 4 }), segment, segment, (prefix, stem, other) => {
        const dir = prefix.join('/');
        const at = (rest: string) => (dir ? `${dir}/${rest}` : rest);
        expect(pythonCataloger.wants(at(`${stem}.dist-info/METADATA`))).toBe(true);
        expect(pythonCataloger.wants(at(`${stem}.egg-info/PKG-INFO`))).toBe(true);
        expect(pythonCataloger.wants(at(`${stem}.egg-info`))).toBe(true);
        for (const candidate of [`${stem}.dist-info/${other}`, `${stem}/${other}`, `${stem}.egg-info/${other}`, other]) {
          expect(pythonCataloger.wants(at(candidate))).toBe(model(at(candidate)));
        }
      }),
    );
  });
});
