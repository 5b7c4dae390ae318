import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { isInstalledGemspec, rubyCataloger } from './index';
import { parseGemspec } from './parse-gemspec';

const run = promisify(execFile);

/** Ruby's own reading of a gemspec (it evaluates the file: the oracle, on files we wrote or the system's). */
const ORACLE = 'ARGV.each { |f| s = Gem::Specification.load(f); puts [f, s.name, s.version, s.licenses.join(","), s.platform].join("|") }';

function ourLine(file: string): string {
  const { packages } = parseGemspec(file, fs.readFileSync(file));
  const p = packages[0];
  return p ? [file, p.name, p.version, p.licenses.join(','), p.metadata?.platform ?? 'ruby'].join('|') : `${file}|unreadable`;
}

/** Handwritten gemspecs, in the styles gem authors use (multi-line arrays, `spec.`, %w, single quotes). */
const SOURCES: Record<string, string> = {
  'tiny_tool.gemspec': `# frozen_string_literal: true
Gem::Specification.new do |spec|
  spec.name          = 'tiny_tool'
  spec.version       = '1.4.2'
  spec.authors       = ['Ada', "Grace \\"Amazing\\" Hopper"]
  spec.summary       = %q{A tiny tool}
  spec.homepage      = 'https://example.com/tiny_tool'
  spec.licenses      = [
    'MIT',
    'Apache-2.0',
  ]
  spec.files         = %w[lib/tiny_tool.rb]
end
`,
  'native_ext.gemspec': `Gem::Specification.new do |s|
  s.name = "native_ext"
  s.version = Gem::Version.new("0.3.0.rc1")
  s.platform = "x86_64-linux"
  s.license = "BSD-3-Clause"
  s.summary = "Pretends to ship a native extension"
  s.authors = ["Ext Author"]
  s.files = ["lib/native_ext.rb"]
end
`,
};

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

describe('gemspecs installed by RubyGems', () => {
  let dir: string;
  let installed: string[];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-gems-'));
    for (const [file, source] of Object.entries(SOURCES)) {
      const name = file.replace('.gemspec', '');
      fs.mkdirSync(path.join(dir, 'src', name, 'lib'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'src', name, 'lib', `${name}.rb`), `module X; end\n`);
      fs.writeFileSync(path.join(dir, 'src', name, file), source);
    }
    const env = { ...process.env, HOME: dir, GEM_HOME: path.join(dir, 'home'), GEM_PATH: path.join(dir, 'home') };
    await Promise.all(Object.keys(SOURCES).map((f) => run('gem', ['build', f], { cwd: path.join(dir, 'src', f.replace('.gemspec', '')), env })));
    const gems = Object.keys(SOURCES).flatMap((f) => {
      const d = path.join(dir, 'src', f.replace('.gemspec', ''));
      return fs.readdirSync(d).filter((g) => g.endsWith('.gem')).map((g) => path.join(d, g));
    });
    await run('gem', ['install', '--local', '--install-dir', path.join(dir, 'home'), '--no-document', '--ignore-dependencies', ...gems], { env });
    installed = fs.readdirSync(path.join(dir, 'home', 'specifications')).map((f) => path.join(dir, 'home', 'specifications', f));
  }, 60_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads the specifications gem install wrote, as Ruby itself does (oracle)', () => {
    expect(installed).toHaveLength(2);
    const oracle = execFileSync('ruby', ['-e', ORACLE, ...installed], { encoding: 'utf8' }).trim().split('\n').sort();
    expect(installed.map(ourLine).sort()).toEqual(oracle);
  });

  it('gives the purl and the metadata', () => {
    const tiny = installed.find((f) => f.includes('tiny_tool'))!;
    const [pkg] = parseGemspec(tiny, fs.readFileSync(tiny)).packages;
    expect(pkg).toMatchObject({ ecosystem: 'ruby', name: 'tiny_tool', version: '1.4.2', licenses: ['MIT', 'Apache-2.0'], metadata: { homepage: 'https://example.com/tiny_tool', summary: 'A tiny tool', authors: 'Ada, Grace "Amazing" Hopper' } });
    expect(rubyCataloger.purl(pkg!, {})).toBe('pkg:gem/tiny_tool@1.4.2');
    const native = installed.find((f) => f.includes('native_ext'))!;
    expect(path.basename(native)).toBe('native_ext-0.3.0.rc1-x86_64-linux.gemspec');
    expect(parseGemspec(native, fs.readFileSync(native)).packages[0]).toMatchObject({ version: '0.3.0.rc1', metadata: expect.objectContaining({ platform: 'x86_64-linux' }) });
  });

  it('reads the handwritten sources the same way (multi-line arrays, %q, Gem::Version.new)', () => {
    for (const [file, source] of Object.entries(SOURCES)) {
      const [pkg] = parseGemspec(`x/specifications/${file}`, Buffer.from(source)).packages;
      expect(pkg?.name).toBe(file.replace('.gemspec', ''));
    }
  });

  it("agrees with Ruby on every gemspec of this machine's Ruby (default and bundled gems, oracle)", () => {
    const roots = execFileSync('ruby', ['-e', 'puts Gem::Specification.dirs'], { encoding: 'utf8' }).trim().split('\n');
    const files = roots.flatMap((d) => [d, path.join(d, 'default')]).filter((d) => fs.existsSync(d)).flatMap((d) => fs.readdirSync(d).filter((f) => f.endsWith('.gemspec')).map((f) => path.join(d, f)));
    expect(files.length).toBeGreaterThan(10);
    const oracle = execFileSync('ruby', ['-e', ORACLE, ...files], { encoding: 'utf8' }).trim().split('\n').sort();
    expect(files.map(ourLine).sort()).toEqual(oracle);
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
