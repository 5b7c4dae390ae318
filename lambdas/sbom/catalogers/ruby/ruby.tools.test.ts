import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { rubyCataloger } from './index';
import { parseGemspec } from './parse-gemspec';
import { HANDWRITTEN_GEMSPECS } from '../../../../test/support/gemspecs';

/*
 * The ruby cataloger on gemspecs `gem install` wrote and on this machine's own gems, with Ruby's
 * Gem::Specification.load as the oracle: an integration test (npm run test:integration installs
 * ruby). Handwritten, malformed and generated gemspecs are in ruby.test.ts.
 */

const run = promisify(execFile);

/** Ruby's own reading of a gemspec (it evaluates the file: the oracle, on files we wrote or the system's). */
const ORACLE = 'ARGV.each { |f| s = Gem::Specification.load(f); puts [f, s.name, s.version, s.licenses.join(","), s.platform].join("|") }';

function ourLine(file: string): string {
  const { packages } = parseGemspec(file, fs.readFileSync(file));
  const p = packages[0];
  return p ? [file, p.name, p.version, p.licenses.join(','), p.metadata?.platform ?? 'ruby'].join('|') : `${file}|unreadable`;
}

describe('gemspecs installed by RubyGems', () => {
  let dir: string;
  let installed: string[];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-gems-'));
    for (const [file, source] of Object.entries(HANDWRITTEN_GEMSPECS)) {
      const name = file.replace('.gemspec', '');
      fs.mkdirSync(path.join(dir, 'src', name, 'lib'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'src', name, 'lib', `${name}.rb`), `module X; end\n`);
      fs.writeFileSync(path.join(dir, 'src', name, file), source);
    }
    const env = { ...process.env, HOME: dir, GEM_HOME: path.join(dir, 'home'), GEM_PATH: path.join(dir, 'home') };
    await Promise.all(Object.keys(HANDWRITTEN_GEMSPECS).map((f) => run('gem', ['build', f], { cwd: path.join(dir, 'src', f.replace('.gemspec', '')), env })));
    const gems = Object.keys(HANDWRITTEN_GEMSPECS).flatMap((f) => {
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

  it("agrees with Ruby on every gemspec of this machine's Ruby (default and bundled gems, oracle)", () => {
    const roots = execFileSync('ruby', ['-e', 'puts Gem::Specification.dirs'], { encoding: 'utf8' }).trim().split('\n');
    const files = roots.flatMap((d) => [d, path.join(d, 'default')]).filter((d) => fs.existsSync(d)).flatMap((d) => fs.readdirSync(d).filter((f) => f.endsWith('.gemspec')).map((f) => path.join(d, f)));
    expect(files.length).toBeGreaterThan(10);
    const oracle = execFileSync('ruby', ['-e', ORACLE, ...files], { encoding: 'utf8' }).trim().split('\n').sort();
    expect(files.map(ourLine).sort()).toEqual(oracle);
  });
});
