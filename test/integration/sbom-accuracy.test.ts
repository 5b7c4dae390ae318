/**
 * SBOM accuracy on images built from this machine's real package metadata, with ground truth
 * from the ecosystems' own tools (dpkg-query, npm's lockfile, Python's importlib.metadata),
 * never from hand-typed lists.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LayerEntry } from '../../lambdas/oci/image-builder';
import { buildImage, writeOciLayout } from '../../lambdas/oci/image-builder';
import { openSource } from '../../lambdas/oci/open-source';
import type { Component, SbomResult } from '../../lambdas/sbom/component';
import { generateSbom } from '../../lambdas/sbom/generate';

const REPO = path.join(__dirname, '..', '..');
let work: string;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-acc-'));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function need(file: string, what: string): string {
  if (!fs.existsSync(file)) throw new Error(`${what} (${file}) is missing: these tests need a Debian machine with dpkg and python3`);
  return file;
}

async function sbomOf(name: string, layers: LayerEntry[][]): Promise<SbomResult> {
  const image = await buildImage({ layers });
  const dir = path.join(work, name);
  writeOciLayout(dir, [image], { tag: 'latest', root: image.manifest });
  const src = await openSource({ scheme: 'oci-dir', location: dir });
  return generateSbom(src, `localhost/${name}`);
}

const keyOf = (c: Pick<Component, 'ecosystem' | 'name' | 'version' | 'namespace' | 'arch'>) =>
  `${c.ecosystem}/${c.namespace ? `${c.namespace}/` : ''}${c.name}@${c.version}${c.arch ? `:${c.arch}` : ''}`;

function stanzas(status: string): string[] {
  return status.split(/\n\n+/).filter((s) => s.trim());
}

function dpkgTruth(statusFile: string): Set<string> {
  const admin = path.join(work, `admin-${Math.random().toString(36).slice(2)}`);
  fs.mkdirSync(path.join(admin, 'info'), { recursive: true });
  fs.copyFileSync(statusFile, path.join(admin, 'status'));
  fs.writeFileSync(path.join(admin, 'available'), '');
  const out = execFileSync('dpkg-query', [`--admindir=${admin}`, '-W', '-f', '${db:Status-Abbrev}\t${Package}\t${Version}\t${Architecture}\n'], { encoding: 'utf8' });
  return new Set(
    out
      .split('\n')
      .filter((l) => /^[ih]i/.test(l))
      .map((l) => {
        const [, name, version, arch] = l.split('\t');
        return `dpkg/${name}@${version}:${arch}`;
      }),
  );
}

describe('SBOM accuracy against real package metadata', () => {
  it('Debian: every installed package of the dpkg database, none that was removed later', async () => {
    const status = fs.readFileSync(need('/var/lib/dpkg/status', "this machine's dpkg database"), 'utf8');
    const all = stanzas(status);
    const victim = all.find((s) => /^Status: install ok installed$/m.test(s) && /^Package: (?!base-files)/m.test(s))!;
    const victimName = /^Package: (.+)$/m.exec(victim)![1]!;
    // Layer 2: "apt-get remove" leaves the package as rc (config-files) and deletes its doc dir.
    const after = all.map((s) => (s === victim ? s.replace(/^Status: .*$/m, 'Status: deinstall ok config-files') : s)).join('\n\n') + '\n';
    const afterFile = path.join(work, 'status-after');
    fs.writeFileSync(afterFile, after);
    const copyrightOf = (pkg: string) => `/usr/share/doc/${pkg}/copyright`;
    const docs = ['base-files', victimName].filter((p) => fs.existsSync(copyrightOf(p)));
    const result = await sbomOf('debian', [
      [
        { path: 'etc/os-release', content: fs.readFileSync(need('/etc/os-release', 'os-release')) },
        { path: 'var/lib/dpkg/status', content: status },
        ...docs.map((p) => ({ path: `usr/share/doc/${p}/copyright`, content: fs.readFileSync(copyrightOf(p)) })),
      ],
      [{ path: 'var/lib/dpkg/status', content: after }, { path: `usr/share/doc/.wh.${victimName}` }],
    ]);
    const image = result.images[0]!;
    const got = new Set(image.components.filter((c) => c.ecosystem === 'dpkg').map(keyOf));
    const truth = dpkgTruth(afterFile);
    expect(truth.size).toBeGreaterThan(20);
    expect([...got].sort()).toEqual([...truth].sort());
    expect([...got].some((k) => k.startsWith(`dpkg/${victimName}@`))).toBe(false);
    const osId = image.os!;
    expect(osId.id).toBe('debian');
    const baseFiles = image.components.find((c) => c.name === 'base-files')!;
    expect(baseFiles.purl).toMatch(new RegExp(`^pkg:deb/debian/base-files@[^?]+\\?arch=[a-z0-9]+&distro=debian-${osId.versionId}`));
    expect(baseFiles.introducedBy).toBe(result.images[0]!.layers[0]!.digest);
    expect(baseFiles.locations.map((l) => l.layer)).toEqual([image.layers[1]!.digest]);
    if (docs.includes('base-files')) expect(baseFiles.licenses.length).toBeGreaterThan(0);
    const withSource = image.components.find((c) => /[?&]upstream=/.test(c.purl));
    expect(withSource).toBeDefined();
  });

  it('distroless: status.d stanzas without a Status line are installed packages', async () => {
    const installed = stanzas(fs.readFileSync('/var/lib/dpkg/status', 'utf8')).filter((s) => /^Status: install ok installed$/m.test(s)).slice(0, 15);
    const files = installed.map((s) => ({ path: `var/lib/dpkg/status.d/${/^Package: (.+)$/m.exec(s)![1]}`, content: `${s.replace(/^Status: .*\n/m, '')}\n` }));
    const md5 = files.map((f) => ({ path: `${f.path}.md5sums`, content: 'd41d8cd98f00b204e9800998ecf8427e  usr/bin/x\n' }));
    const result = await sbomOf('distroless', [[{ path: 'etc/os-release', content: fs.readFileSync('/etc/os-release') }, ...files, ...md5]]);
    const joined = path.join(work, 'distroless-status');
    fs.writeFileSync(joined, installed.join('\n\n') + '\n');
    expect(new Set(result.images[0]!.components.map(keyOf))).toEqual(dpkgTruth(joined));
  });

  it('npm: every package of a real node_modules tree at any depth, not the app itself', async () => {
    const lock = JSON.parse(fs.readFileSync(path.join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, { name?: string; version?: string; link?: boolean }> };
    const entries: LayerEntry[] = [];
    const truth = new Set<string>();
    for (const [rel, meta] of Object.entries(lock.packages)) {
      if (!rel || meta.link || !meta.version) continue;
      const file = path.join(REPO, rel, 'package.json');
      if (!fs.existsSync(file)) continue; // optional dependency for another platform
      entries.push({ path: `app/${rel}/package.json`, content: fs.readFileSync(file) });
      const name = meta.name ?? rel.slice(rel.lastIndexOf('node_modules/') + 'node_modules/'.length);
      truth.add(name.startsWith('@') ? `npm/${name.slice(1)}@${meta.version}` : `npm/${name}@${meta.version}`);
    }
    entries.push({ path: 'app/package.json', content: fs.readFileSync(path.join(REPO, 'package.json')) });
    entries.push({ path: 'app/package-lock.json', content: '{}' });
    const result = await sbomOf('npm', [entries]);
    const got = new Set(result.images[0]!.components.map(keyOf));
    expect(truth.size).toBeGreaterThan(300);
    expect([...got].sort()).toEqual([...truth].sort());
    expect(got.has('npm/artifact-guard@0.1.0')).toBe(false);
  });

  it('Python: every dist-info of a real site-packages, as importlib.metadata sees it', async () => {
    const py = 'python3';
    const site = execFileSync(py, ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], { encoding: 'utf8' }).trim();
    const dists = fs.readdirSync(need(site, 'site-packages')).filter((d) => d.endsWith('.dist-info') && fs.existsSync(path.join(site, d, 'METADATA')));
    expect(dists.length).toBeGreaterThan(3);
    const dest = 'usr/local/lib/python3.11/site-packages';
    const entries = dists.map((d) => ({ path: `${dest}/${d}/METADATA`, content: fs.readFileSync(path.join(site, d, 'METADATA')) }));
    const result = await sbomOf('python', [entries]);
    const copy = path.join(work, 'site');
    for (const d of dists) {
      fs.mkdirSync(path.join(copy, d), { recursive: true });
      fs.copyFileSync(path.join(site, d, 'METADATA'), path.join(copy, d, 'METADATA'));
    }
    const script = 'import importlib.metadata as m, re, sys\nfor d in m.distributions(path=[sys.argv[1]]):\n    print(re.sub(r"[-_.]+", "-", d.metadata["Name"]).lower() + "@" + d.version)';
    const truth = new Set(execFileSync(py, ['-c', script, copy], { encoding: 'utf8' }).trim().split('\n').map((l) => `python/${l}`));
    const got = new Set(result.images[0]!.components.map((c) => `python/${c.purl.slice('pkg:pypi/'.length).replace(/%2B/gi, '+')}`));
    expect([...got].sort()).toEqual([...truth].sort());
  });
});
