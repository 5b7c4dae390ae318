import fc from 'fast-check';
import { isComposerInstalled } from './index';
import { parseComposerInstalled } from './parse-installed-json';

describe('php wants', () => {
  it.each([
    ['var/www/html/vendor/composer/installed.json', true],
    ['vendor/composer/installed.json', true],
    ['app/myvendor/composer/installed.json', false],
    ['app/vendor/composer/installed.php', false],
    ['app/composer.lock', false],
  ])('%s → %s', (p, expected) => {
    expect(isComposerInstalled(p)).toBe(expected);
  });
});

describe('malformed installed.json', () => {
  const parse = (text: string) => parseComposerInstalled('vendor/composer/installed.json', Buffer.from(text));

  it.each([
    ['{"packages": [', /^not valid JSON: /],
    ['{"pkgs": []}', /^neither a Composer 1 package array nor a Composer 2/],
    ['"a string"', /^neither a Composer 1/],
  ])('warns about %s', (text, message) => {
    const result = parse(text);
    expect(result.packages).toEqual([]);
    expect(result.warnings[0]?.message).toMatch(message);
  });

  it('skips entries without vendor/name or version', () => {
    const result = parse('[{"name":"novendor","version":"1"},{"name":"a/b"},{"name":"a/","version":"1"},null,{"name":"ok/pkg","version":"1.0.0","license":7}]');
    expect(result.packages).toEqual([{ ecosystem: 'php', namespace: 'ok', name: 'pkg', version: '1.0.0', licenses: [] }]);
    expect(result.warnings).toHaveLength(4);
  });

  it('round-trips generated package lists in both formats (property)', () => {
    const ident = fc.stringMatching(/^[a-z][a-z0-9_.-]{0,12}$/);
    const pkg = fc.record({ vendor: ident, name: ident, version: fc.stringMatching(/^v?\d{1,2}\.\d{1,2}\.\d{1,2}$/), license: fc.array(fc.constantFrom('MIT', 'BSD-3-Clause', 'GPL-2.0-or-later'), { maxLength: 2 }) });
    fc.assert(
      fc.property(fc.array(pkg, { maxLength: 20 }), fc.boolean(), (pkgs, v2) => {
        const list = pkgs.map((p) => ({ name: `${p.vendor}/${p.name}`, version: p.version, license: p.license }));
        const result = parse(JSON.stringify(v2 ? { packages: list, dev: true, 'dev-package-names': [] } : list));
        expect(result.warnings).toEqual([]);
        expect(result.packages.map((p) => [`${p.namespace}/${p.name}`, p.version, p.licenses])).toEqual(list.map((l) => [l.name, l.version, l.license]));
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary bytes or JSON (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 500 }).map((b) => Buffer.from(b)), fc.json().map((j) => Buffer.from(j))), (buf) => {
        parseComposerInstalled('vendor/composer/installed.json', buf);
      }),
      { numRuns: 1000 },
    );
  });
});
