import fc from 'fast-check';
import { catalogers, OS_RELEASE_PATHS } from './index';

describe('catalogers', () => {
  it('lists every package cataloger once, by ecosystem name', () => {
    expect(catalogers.map((c) => c.name)).toEqual(['dpkg', 'apk', 'npm', 'python', 'rpm', 'java', 'ruby', 'php', 'dotnet', 'golang', 'rust']);
  });

  it('sets sane file size limits', () => {
    const limits = Object.fromEntries(catalogers.map((c) => [c.name, c.maxFileSize]));
    expect(limits).toEqual({ dpkg: 48 * 1024 * 1024, apk: 48 * 1024 * 1024, npm: 1024 * 1024, python: 4 * 1024 * 1024, rpm: 48 * 1024 * 1024, java: 48 * 1024 * 1024, ruby: 1024 * 1024, php: 16 * 1024 * 1024, dotnet: 16 * 1024 * 1024, golang: 48 * 1024 * 1024, rust: 48 * 1024 * 1024 });
  });

  const wanting = (path: string) => catalogers.filter((c) => c.wants(path)).map((c) => c.name);

  it.each([
    ['var/lib/dpkg/status', ['dpkg']],
    ['var/lib/dpkg/status.d/libssl3', ['dpkg']],
    ['usr/share/doc/libc6/copyright', ['dpkg']],
    ['lib/apk/db/installed', ['apk']],
    ['app/node_modules/@noble/curves/package.json', ['npm']],
    ['usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO', ['python']],
    ['usr/lib/python3.11/site-packages/attrs-26.1.0.dist-info/METADATA', ['python']],
    ['app/app.jar', ['java']],
    ['var/lib/rpm/rpmdb.sqlite', ['rpm']],
    ['usr/local/bundle/specifications/rack-3.0.9.gemspec', ['ruby']],
    ['var/www/html/vendor/composer/installed.json', ['php']],
    ['app/MyApp.deps.json', ['dotnet']],
    ['usr/lib/sysimage/rpm/rpmdb.sqlite', ['rpm']],
    ['etc/os-release', []],
    ['usr/lib/os-release', []],
    ['usr/bin/bash', []],
    ['etc/passwd', []],
    ['app/package.json', []],
  ])('%s is wanted by %j', (path, expected) => {
    expect(wanting(path)).toEqual(expected);
  });

  it('never lets two catalogers want the same path, nor one want os-release', () => {
    const segment = fc.oneof(
      fc.constantFrom('var', 'lib', 'dpkg', 'status', 'status.d', 'usr', 'share', 'doc', 'copyright', 'apk', 'db', 'installed', 'node_modules', '@s', 'package.json', 'x.dist-info', 'METADATA', 'x.egg-info', 'PKG-INFO', 'etc', 'os-release', 'app.jar', 'x.war', 'rpm', 'rpmdb.sqlite', 'sysimage', 'specifications', 'default', 'x-1.gemspec', 'vendor', 'composer', 'installed.json', 'a.deps.json'),
      fc.stringMatching(/^[^/]{0,8}$/),
    );
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 7 }), (parts) => {
        expect(wanting(parts.join('/')).length).toBeLessThanOrEqual(1);
      }),
      { numRuns: 2000 },
    );
    for (const p of OS_RELEASE_PATHS) expect(wanting(p)).toEqual([]);
  });

  it('answers wants cheaply for typical image paths', () => {
    const typical = (i: number): string => {
      switch (i % 4) {
        case 0: return `usr/lib/x86_64-linux-gnu/lib${i}.so`;
        case 1: return `app/node_modules/p${i}/lib/index.js`;
        case 2: return `usr/share/doc/p${i}/changelog.gz`;
        default: return `usr/lib/python3/dist-packages/m${i}/__init__.py`;
      }
    };
    const paths = Array.from({ length: 200_000 }, (_, i) => typical(i));
    const started = process.hrtime.bigint();
    let wanted = 0;
    for (const p of paths) for (const c of catalogers) if (c.wants(p)) wanted++;
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    expect(wanted).toBe(0);
    expect(ms).toBeLessThan(2000);
  });
});
