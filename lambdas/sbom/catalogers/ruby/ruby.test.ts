import fc from 'fast-check';
import { isInstalledGemspec } from './index';
import { parseGemspec } from './parse-gemspec';
import { HANDWRITTEN_GEMSPECS } from '../../../../test/support/gemspecs';

describe('ruby wants', () => {
  it.each([
    ['usr/local/bundle/specifications/rails-7.1.3.gemspec', true],
    ['usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec', true],
    ['usr/share/rubygems-integration/all/specifications/net-telnet-0.2.0.gemspec', true],
    ['app/vendor/bundle/ruby/3.2.0/specifications/rack-3.0.9.gemspec', true],
    ['app/tiny_tool.gemspec', false],
    ['usr/local/bundle/gems/rails-7.1.3/rails.gemspec', false],
    ['specifications/.gemspec', false],
    ['x/default/json.gemspec', false],
    ['usr/local/bundle/specifications/rails-7.1.3.gemspec.bak', false],
  ])('%s → %s', (p, expected) => {
    expect(isInstalledGemspec(p)).toBe(expected);
  });
});

describe('handwritten gemspecs', () => {
  it('reads the sources gem authors write (multi-line arrays, %q, Gem::Version.new)', () => {
    for (const [file, source] of Object.entries(HANDWRITTEN_GEMSPECS)) {
      const [pkg] = parseGemspec(`x/specifications/${file}`, Buffer.from(source)).packages;
      expect(pkg?.name).toBe(file.replace('.gemspec', ''));
    }
  });
});

describe('malformed and hostile gemspecs', () => {
  const parse = (text: string, file = 'g/specifications/x-1.0.gemspec') => parseGemspec(file, Buffer.from(text));

  it('never evaluates code: computed names and versions are reported, the stub line is the fallback', () => {
    const result = parse('# stub: safe 2.0.0 ruby lib\nGem::Specification.new do |s|\n  s.name = File.read("/etc/passwd")\n  s.version = ENV["VERSION"]\n  system("touch /tmp/pwned")\nend\n');
    expect(result.packages).toEqual([{ ecosystem: 'ruby', name: 'safe', version: '2.0.0', licenses: [] }]);
    expect(result.warnings.map((w) => w.message)).toEqual([
      'gemspec name is not a literal value (gemspecs are never evaluated); using safe from the stub line',
      'gemspec version is not a literal value (gemspecs are never evaluated); using 2.0.0 from the stub line',
    ]);
  });

  it('does not take an interpolated string for a literal', () => {
    expect(parse('s.name = "a#{`id`}"\ns.version = "1"\n').warnings[0]?.message).toMatch(/name is not a literal value/);
  });

  it('falls back to the file name, then gives up with a warning', () => {
    expect(parse('garbage', 'g/specifications/left-pad-1.2.3.gemspec').packages[0]).toMatchObject({ name: 'left-pad', version: '1.2.3' });
    expect(parse('s.name = "unterminated\n', 'g/specifications/noversion.gemspec')).toEqual({ packages: [], warnings: [{ path: 'g/specifications/noversion.gemspec', message: 'gemspec name is not a literal value (gemspecs are never evaluated)' }, { path: 'g/specifications/noversion.gemspec', message: 'gemspec without a readable name and version; skipped' }] });
  });

  it('stays linear on pathological input', () => {
    const started = Date.now();
    parse(`s.licenses = ${'['.repeat(50_000)}\n${'s.name = "'.repeat(20_000)}\n${'%q<'.repeat(30_000)}`);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('round-trips generated specifications (property)', () => {
    const word = fc.stringMatching(/^[a-z][a-z0-9_-]{0,15}$/);
    const str = fc.string({ maxLength: 20 }).filter((s) => !/[\n\r]/.test(s));
    const rubyString = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/#/g, '\\#')}".freeze`;
    fc.assert(
      fc.property(word, fc.stringMatching(/^\d{1,3}(\.\d{1,3}){0,3}(\.[a-z]{1,5}\d?)?$/), fc.array(str, { maxLength: 4 }), str, (name, version, licenses, summary) => {
        const text = `# -*- encoding: utf-8 -*-\nGem::Specification.new do |s|\n  s.name = ${rubyString(name)}\n  s.version = ${JSON.stringify(version)}\n  s.licenses = [${licenses.map(rubyString).join(', ')}]\n  s.summary = ${rubyString(summary)}\nend\n`;
        const [pkg] = parse(text).packages;
        expect(pkg?.name).toBe(name);
        expect(pkg?.version).toBe(version);
        expect(pkg?.licenses).toEqual([...new Set(licenses.map((l) => l.trim()).filter(Boolean))]);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on arbitrary text (property)', () => {
    const piece = fc.constantFrom('s.name = ', 's.version = ', 's.licenses = [', '"', "'", '%q<', '%w[', '\\', '#{', ']', ',', '\n', '.freeze', 'Gem::Version.new(', ')');
    fc.assert(
      fc.property(fc.array(fc.oneof(piece, fc.string({ maxLength: 5 })), { maxLength: 60 }), (parts) => {
        parse(parts.join(''));
      }),
      { numRuns: 2000 },
    );
  });
});
