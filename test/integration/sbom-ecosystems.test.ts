import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { buildImage, writeOciLayout } from '../../lambdas/oci/image-builder';
import type { LayerEntry } from '../../lambdas/oci/image-builder';
import { validateCycloneDx } from '../../lambdas/sbom/writers/cyclonedx-validate';
import { runCli } from '../support/cli';
import type { GoBuild } from '../support/go-binaries';
import { buildGoProgram } from '../support/go-binaries';
import type { RpmDatabase } from '../support/rpm-artifacts';
import { buildRpmDatabase } from '../support/rpm-artifacts';
import { validateSpdx23 } from '../support/spdx-schema';
import { writeZip } from '../support/zip-writer';

const MB = 1024 * 1024;
const pom = (g: string, a: string, v: string) => ({ name: `META-INF/maven/${g}/${a}/pom.properties`, data: `groupId=${g}\nartifactId=${a}\nversion=${v}\n` });

let work: string;
let go: GoBuild;
let rpmdb: RpmDatabase;
let rusty: Buffer;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-eco-'));
  go = await buildGoProgram([{ goos: 'linux', goarch: 'amd64' }]);
  rpmdb = buildRpmDatabase([
    { name: 'bash', version: '5.2.26', release: '3.fc40', license: 'GPL-3.0-or-later', vendor: 'Fedora Project', arch: 'x86_64' },
    { name: 'shadow-utils', version: '4.15.1', release: '3.fc40', epoch: 2, license: 'BSD-3-Clause AND GPL-2.0-or-later', arch: 'x86_64' },
  ]);
  // A real executable with cargo-auditable data (rustc when installed, else gcc).
  const src = path.join(work, 'rusty.c');
  fs.writeFileSync(src, 'int main(void) { return 0; }\n');
  try {
    fs.writeFileSync(path.join(work, 'rusty.rs'), 'fn main() {}\n');
    execFileSync('rustc', ['-C', 'opt-level=0', '-o', path.join(work, 'rusty'), path.join(work, 'rusty.rs')], { stdio: 'pipe' });
  } catch {
    execFileSync('gcc', ['-o', path.join(work, 'rusty'), src]);
  }
  fs.writeFileSync(path.join(work, 'deps.z'), zlib.deflateSync(JSON.stringify({ packages: [{ name: 'rusty', version: '0.1.0', source: 'local', root: true }, { name: 'anyhow', version: '1.0.86', source: 'crates.io' }] })));
  execFileSync('objcopy', ['--add-section', `.dep-v0=${path.join(work, 'deps.z')}`, path.join(work, 'rusty'), path.join(work, 'rusty-audited')]);
  rusty = fs.readFileSync(path.join(work, 'rusty-audited'));
}, 120_000);
afterAll(() => {
  go?.cleanup();
  rpmdb?.cleanup();
  fs.rmSync(work, { recursive: true, force: true });
});

async function layout(name: string, layers: LayerEntry[][]): Promise<string> {
  const image = await buildImage({ layers });
  const dir = path.join(work, name);
  writeOciLayout(dir, [image], { tag: 'v1', root: image.manifest });
  return dir;
}

describe('an image with every new ecosystem', () => {
  it('catalogs rpm, Go, Rust, Java, RubyGems, Composer and .NET into schema-valid CycloneDX and SPDX', async () => {
    const fatJar = writeZip([pom('com.example', 'shop', '2.3.0'), { name: 'BOOT-INF/lib/jackson-databind-2.17.1.jar', method: 'store', data: writeZip([pom('com.fasterxml.jackson.core', 'jackson-databind', '2.17.1')]) }]);
    const base: LayerEntry[] = [
      { path: 'usr/lib/os-release', content: 'NAME="Fedora Linux"\nVERSION_ID=40\nID=fedora\nPRETTY_NAME="Fedora Linux 40 (Container Image)"\n' },
      { path: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
      { path: 'usr/lib/sysimage/rpm/rpmdb.sqlite', content: fs.readFileSync(rpmdb.sqlite) },
      { path: 'var/lib/rpm', type: 'symlink', linkname: '../../usr/lib/sysimage/rpm' },
    ];
    const apps: LayerEntry[] = [
      { path: 'usr/local/bin/goapp', content: fs.readFileSync(go.binaries.get('linux/amd64')!), mode: 0o755 },
      { path: 'usr/local/bin/rusty', content: rusty, mode: 0o755 },
      { path: 'srv/shop.jar', content: fatJar },
      { path: 'usr/share/gems/specifications/rack-3.0.9.gemspec', content: '# stub: rack 3.0.9 ruby lib\nGem::Specification.new do |s|\n  s.name = "rack".freeze\n  s.version = "3.0.9"\n  s.licenses = ["MIT".freeze]\nend\n' },
      { path: 'var/www/vendor/composer/installed.json', content: JSON.stringify({ packages: [{ name: 'monolog/monolog', version: '3.6.0', license: ['MIT'] }], dev: true, 'dev-package-names': [] }) },
      { path: 'opt/app/App.deps.json', content: JSON.stringify({ runtimeTarget: { name: '.NETCoreApp,Version=v8.0' }, libraries: { 'App/1.0.0': { type: 'project' }, 'Newtonsoft.Json/13.0.3': { type: 'package', serviceable: true, sha512: 'sha512-x' } } }) },
    ];
    const dir = await layout('eco', [base, apps]);
    const env = { ARTIFACT_GUARD_HOME: path.join(work, 'home'), ARTIFACT_GUARD_CACHE_DIR: path.join(work, 'cache') };
    const res = await runCli(['sbom', `oci-dir:${dir}:v1`, '-q'], env);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(await validateCycloneDx(res.stdout)).toEqual([]);
    const bom = JSON.parse(res.stdout) as { components: { purl: string; name: string; version?: string; group?: string }[] };
    const purls = bom.components.map((c) => c.purl);
    expect(purls).toEqual(
      expect.arrayContaining([
        'pkg:rpm/fedora/bash@5.2.26-3.fc40?arch=x86_64&distro=fedora-40&upstream=bash-5.2.26-3.fc40.src.rpm',
        'pkg:rpm/fedora/shadow-utils@4.15.1-3.fc40?arch=x86_64&distro=fedora-40&epoch=2&upstream=shadow-utils-4.15.1-3.fc40.src.rpm',
        'pkg:golang/example.com/app',
        'pkg:golang/example.com/beta@v0.0.0-20240102030405-abcdefabcdef',
        'pkg:golang/example.com/gamma@v2.0.0+incompatible',
        'pkg:cargo/rusty@0.1.0',
        'pkg:cargo/anyhow@1.0.86',
        'pkg:maven/com.example/shop@2.3.0',
        'pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.17.1',
        'pkg:gem/rack@3.0.9',
        'pkg:composer/monolog/monolog@3.6.0',
        'pkg:nuget/Newtonsoft.Json@13.0.3',
      ]),
    );
    expect(purls.filter((p) => p.startsWith('pkg:golang/stdlib@'))).toHaveLength(1);
    // The Go main module built as (devel) carries no version at all, rather than an empty one.
    expect(bom.components.find((c) => c.purl === 'pkg:golang/example.com/app')).not.toHaveProperty('version');
    expect(bom.components.find((c) => c.name === 'jackson-databind')?.group).toBe('com.fasterxml.jackson.core');
    const spdx = await runCli(['sbom', `oci-dir:${dir}:v1`, '-q', '-o', 'spdx-json'], env);
    expect(validateSpdx23(JSON.parse(spdx.stdout))).toEqual([]);
    const table = await runCli(['sbom', `oci-dir:${dir}:v1`, '-q', '-o', 'table'], env);
    expect(table.stdout).toMatch(/com\.fasterxml\.jackson\.core:jackson-databind\s+2\.17\.1\s+java/);
    expect(table.stdout).toMatch(/monolog\/monolog\s+3\.6\.0\s+php/);
  });

  it('keeps peak RSS under 200 MB with executables, archives and an rpm database near the 48 MiB cap in three layers at once', async () => {
    const goBinary = fs.readFileSync(go.binaries.get('linux/amd64')!);
    // 45 MiB executables (a real Go binary with trailing bytes: its headers still point inside),
    // a 45 MiB jar and a 40 MiB rpm database, all near the 48 MiB cap: each is buffered whole,
    // in the shared arena, while the three layers stream at once.
    const bigExe = (fill: number) => Buffer.concat([goBinary, Buffer.alloc(45 * MB - goBinary.length, fill)]);
    const bigJar = writeZip([pom('big', 'blob', '1.0.0'), { name: 'data.bin', method: 'store', data: Buffer.alloc(45 * MB, 1) }]);
    const rpmBytes = fs.readFileSync(rpmdb.sqlite);
    const bigRpm = Buffer.concat([rpmBytes, Buffer.alloc(40 * MB - rpmBytes.length)]); // trailing free pages: still a valid database
    const dir = await layout('big', [
      [{ path: 'usr/lib/sysimage/rpm/rpmdb.sqlite', content: bigRpm }, { path: 'usr/bin/one', content: bigExe(0), mode: 0o755 }],
      [{ path: 'usr/bin/two', content: bigExe(1), mode: 0o755 }, { path: 'opt/big.jar', content: bigJar }],
      [{ path: 'usr/bin/three', content: bigExe(2), mode: 0o755 }, { path: 'usr/bin/toobig', content: Buffer.concat([goBinary, Buffer.alloc(49 * MB)]), mode: 0o755 }],
    ]);
    const preload = path.join(work, 'maxrss.js');
    // VmHWM is the peak of this process's own address space; getrusage's maxrss would include the
    // forked copy of the Jest worker that preceded exec.
    fs.writeFileSync(preload, "process.on('exit', () => require('fs').writeSync(2, `maxrss_kb=${/VmHWM:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1]}\\n`));\n");
    const res = await runCli(['sbom', `oci-dir:${dir}:v1`, '-o', 'table'], { ARTIFACT_GUARD_HOME: path.join(work, 'home2'), ARTIFACT_GUARD_CACHE_DIR: path.join(work, 'cache2') }, ['-r', preload]);
    expect(res.code).toBe(0);
    const rssMb = Number(/maxrss_kb=(\d+)/.exec(res.stderr)?.[1]) / 1024;
    expect(res.stdout).toMatch(/\bblob\s+1\.0\.0\s+java/);
    expect(res.stdout).toMatch(/\bbash\s+5\.2\.26-3\.fc40\s+rpm/);
    expect(res.stdout).toMatch(/example\.com\/alpha\s+v1\.2\.3\s+golang/);
    expect(res.stderr).toMatch(/warning: usr\/bin\/toobig: \d+ bytes, more than the 50331648 read for golang; skipped/);
    expect(rssMb).toBeGreaterThan(0);
    expect(rssMb).toBeLessThan(200);
  }, 120_000);
});
