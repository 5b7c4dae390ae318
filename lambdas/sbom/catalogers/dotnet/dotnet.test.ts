import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { dotnetCataloger, isDepsJson } from './index';
import { parseDepsJson } from './parse-deps-json';

const fixture = (name: string): Buffer => fs.readFileSync(path.join(__dirname, 'fixtures', name));

describe('dotnet wants', () => {
  it.each([
    ['app/MyApp.deps.json', true],
    ['usr/share/dotnet/shared/Microsoft.NETCore.App/8.0.1/Microsoft.NETCore.App.deps.json', true],
    ['app/.deps.json', false],
    ['app/MyApp.runtimeconfig.json', false],
    ['app/deps.json', false],
  ])('%s → %s', (p, expected) => {
    expect(isDepsJson(p)).toBe(expected);
  });
});

describe('deps.json written by the .NET SDK', () => {
  it('lists every NuGet package of a .NET 6 library, not its projects', () => {
    const result = parseDepsJson('app/TestLibrary.deps.json', fixture('TestLibrary.deps.json'));
    expect(result.warnings).toEqual([]);
    expect(result.packages.map((p) => dotnetCataloger.purl(p, {}))).toEqual([
      'pkg:nuget/AWSSDK.Core@3.7.10.6',
      'pkg:nuget/Microsoft.Extensions.DependencyInjection@6.0.0',
      'pkg:nuget/Microsoft.Extensions.DependencyInjection.Abstractions@6.0.0',
      'pkg:nuget/Microsoft.Extensions.Logging@6.0.0',
      'pkg:nuget/Microsoft.Extensions.Logging.Abstractions@6.0.0',
      'pkg:nuget/Microsoft.Extensions.Options@6.0.0',
      'pkg:nuget/Microsoft.Extensions.Primitives@6.0.0',
      'pkg:nuget/Newtonsoft.Json@13.0.1',
      'pkg:nuget/Serilog@2.10.0',
      'pkg:nuget/Serilog.Sinks.Console@4.0.1',
      'pkg:nuget/System.Diagnostics.DiagnosticSource@6.0.0',
      'pkg:nuget/System.Runtime.CompilerServices.Unsafe@6.0.0',
    ]);
    expect(result.packages[7]).toEqual({
      ecosystem: 'dotnet',
      name: 'Newtonsoft.Json',
      version: '13.0.1',
      licenses: [],
      metadata: { sha512: 'sha512-ppPFpBcvxdsfUonNcvITKqLl3bqxWbDCZIzDWHzjpdAHRFfZe0Dw9HmA0+za13IdyrgJwpkDTDA9fHaxOrt20A==', path: 'newtonsoft.json/13.0.1', runtimeTarget: '.NETCoreApp,Version=v6.0' },
    });
  });

  it('agrees with an independent reading of the same manifest (every "package" library, oracle)', () => {
    const doc = JSON.parse(fixture('TestLibrary.deps.json').toString('utf8')) as { libraries: Record<string, { type: string }> };
    const expected = Object.entries(doc.libraries).filter(([, v]) => v.type === 'package').map(([k]) => k);
    expect(parseDepsJson('x.deps.json', fixture('TestLibrary.deps.json')).packages.map((p) => `${p.name}/${p.version}`)).toEqual(expected);
  });

  it('skips reference assemblies (.NET 10)', () => {
    expect(parseDepsJson('app/MyApp.deps.json', fixture('MyApp.deps.json')).packages.map((p) => dotnetCataloger.purl(p, {}))).toEqual(['pkg:nuget/Newtonsoft.Json@13.0.3']);
  });

  it('keeps runtime packs of self-contained apps, marked by type', () => {
    const json = JSON.stringify({ runtimeTarget: { name: '.NETCoreApp,Version=v8.0/linux-x64' }, libraries: { 'App/1.0.0': { type: 'project' }, 'runtimepack.Microsoft.NETCore.App.Runtime.linux-x64/8.0.1': { type: 'runtimepack', serviceable: false, sha512: '' } } });
    const [pack] = parseDepsJson('app/App.deps.json', Buffer.from(json)).packages;
    expect(pack).toMatchObject({ name: 'runtimepack.Microsoft.NETCore.App.Runtime.linux-x64', version: '8.0.1', metadata: { type: 'runtimepack' } });
  });
});

describe('malformed deps.json', () => {
  it.each([
    ['{"libraries": {', /^not valid JSON: /],
    ['{"targets": {}}', /^no "libraries" object/],
    ['[]', /^no "libraries" object/],
  ])('warns about %s', (text, message) => {
    const result = parseDepsJson('a.deps.json', Buffer.from(text));
    expect(result.packages).toEqual([]);
    expect(result.warnings[0]?.message).toMatch(message);
  });

  it('skips library keys that are not Name/Version', () => {
    const result = parseDepsJson('a.deps.json', Buffer.from('{"libraries":{"NoVersion":{"type":"package"},"/1.0":{"type":"package"},"Ok/2.0":{"type":"Package"}}}'));
    expect(result.packages.map((p) => `${p.name}@${p.version}`)).toEqual(['Ok@2.0']);
    expect(result.warnings).toHaveLength(2);
  });

  it('round-trips generated library sets (property)', () => {
    const name = fc.stringMatching(/^[A-Z][A-Za-z0-9]{0,10}(\.[A-Z][A-Za-z0-9]{0,10}){0,3}$/);
    const lib = fc.record({ name, version: fc.stringMatching(/^\d{1,2}\.\d{1,2}\.\d{1,3}(-[a-z]{1,6}\.\d)?$/), type: fc.constantFrom('package', 'project', 'referenceassembly') });
    fc.assert(
      fc.property(fc.uniqueArray(lib, { selector: (l) => `${l.name}/${l.version}`, maxLength: 25 }), (libs) => {
        const doc = { libraries: Object.fromEntries(libs.map((l) => [`${l.name}/${l.version}`, { type: l.type, serviceable: true, sha512: '' }])) };
        const result = parseDepsJson('g.deps.json', Buffer.from(JSON.stringify(doc)));
        expect(result.packages.map((p) => `${p.name}/${p.version}`)).toEqual(libs.filter((l) => l.type === 'package').map((l) => `${l.name}/${l.version}`));
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary bytes or JSON (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 500 }).map((b) => Buffer.from(b)), fc.json().map((j) => Buffer.from(j)), fc.json().map((j) => Buffer.from(`{"libraries":${j}}`))), (buf) => {
        parseDepsJson('x.deps.json', buf);
      }),
      { numRuns: 1000 },
    );
  });
});
