import type { CatalogedPackage, ParseResult, SyncCataloger } from '../../cataloger';
import { catalogExecutables, EXECUTABLE_CONTENT, MAX_EXECUTABLE_SIZE } from '../common/executables';
import { buildInfoOf, hasGoSections } from './parse-buildinfo';
import type { GoModInfo, GoModule } from './parse-modinfo';
import { parseModInfo } from './parse-modinfo';
import { goPurl } from './purl';

const DEVEL = '(devel)';

/** `v0.0.0-YYYYMMDDhhmmss-<12 hex>` from `vcs.time` and `vcs.revision` (Go's pseudo-version form, as Syft derives it). */
export function vcsPseudoVersion(settings: ReadonlyMap<string, string>): string | undefined {
  const rev = settings.get('vcs.revision');
  const time = settings.get('vcs.time');
  if (!rev || !time || !/^[0-9a-f]{7,64}$/i.test(rev)) return undefined;
  const t = new Date(time);
  if (Number.isNaN(t.getTime())) return undefined;
  const stamp = t.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `v0.0.0-${stamp}-${rev.slice(0, 12).toLowerCase()}`;
}

/** The toolchain version without `go` and without experiment suffixes (`go1.22.5 X:boringcrypto` → `1.22.5`), if it is a release. */
export function stdlibVersion(goVersion: string): string | undefined {
  const [v = ''] = goVersion.split(' ');
  return /^go\d+(\.\d+)*([a-z]+\d+)?$/.test(v) ? v.slice(2) : undefined;
}

function isLocalPath(p: string): boolean {
  return p.startsWith('./') || p.startsWith('../') || p.startsWith('/') || p === '.' || p === '..' || /^[A-Za-z]:[\\/]/.test(p);
}

function modulePackage(m: GoModule, meta: Record<string, string>): CatalogedPackage {
  const r = m.replace;
  if (r && r.version && r.version !== DEVEL && !isLocalPath(r.path)) {
    // A module replaced by another module: the replacement's code is what the binary holds.
    return { ecosystem: 'golang', name: r.path, version: r.version, licenses: [], metadata: { ...meta, replaces: `${m.path}@${m.version}`, ...(r.sum ? { h1Digest: r.sum } : {}) } };
  }
  if (r) {
    // A directory replacement (`=> ../dir (devel)`): local code of unknown version, named by the module it stands for.
    return { ecosystem: 'golang', name: m.path, version: '', licenses: [], metadata: { ...meta, replacedByDirectory: r.path, requiredVersion: m.version } };
  }
  return { ecosystem: 'golang', name: m.path, version: m.version === DEVEL ? '' : m.version, licenses: [], metadata: { ...meta, ...(m.sum ? { h1Digest: m.sum } : {}) } };
}

function packagesOf(info: GoModInfo, goVersion: string, arch: string | undefined): CatalogedPackage[] {
  const goos = info.settings.get('GOOS');
  const goarch = info.settings.get('GOARCH') ?? arch;
  const base: Record<string, string> = { goVersion, ...(goos ? { goos } : {}), ...(goarch ? { goarch } : {}), ...(info.main ? { mainModule: info.main.path } : {}) };
  const out: CatalogedPackage[] = [];
  if (info.main) {
    const main = modulePackage(info.main, { ...base, role: 'main' });
    if (main.version === '' && !info.main.replace) {
      const pseudo = vcsPseudoVersion(info.settings);
      out.push(pseudo ? { ...main, version: pseudo, metadata: { ...main.metadata, versionFrom: 'vcs.revision and vcs.time' } } : { ...main, metadata: { ...main.metadata, version: info.main.version || DEVEL } });
    } else out.push(main);
  }
  for (const d of info.deps) out.push(modulePackage(d, base));
  const std = stdlibVersion(goVersion);
  if (std) out.push({ ecosystem: 'golang', name: 'stdlib', version: std, licenses: ['BSD-3-Clause'], metadata: base });
  return out;
}

/**
 * Go modules compiled into an executable (ELF, Mach-O including universal binaries, PE), from
 * its embedded build info: the main module, every dependency at its real version (replacements
 * honoured: a module replaced by another module is reported as the replacement; a directory
 * replacement keeps the original path without a version), and the toolchain as
 * `pkg:golang/stdlib@<version>`. A Go executable without module information yields no
 * packages and a warning; other executables yield nothing.
 */
export function parseGoBinary(path: string, content: Buffer): ParseResult {
  return catalogExecutables(path, content, (x, warnings) => {
    const found = buildInfoOf(x);
    if (found.kind === 'error') {
      warnings.add(found.message);
      return [];
    }
    if (found.kind === 'none') {
      if (hasGoSections(x)) warnings.add('Go executable without build info (built before Go 1.13 or stripped of it): its modules are not in this SBOM');
      return [];
    }
    const info = parseModInfo(found.info.modinfo, warnings);
    if (!info.main && info.deps.length === 0) {
      warnings.add(`Go executable (${found.info.goVersion}) without module information (built outside module mode): its modules are not in this SBOM`);
      return [];
    }
    return packagesOf(info, found.info.goVersion, found.info.arch);
  });
}

/** Go executables anywhere in the image, recognised by content (see `ContentMatcher`). */
export const golangCataloger: SyncCataloger = {
  name: 'golang',
  maxFileSize: MAX_EXECUTABLE_SIZE,
  wants: () => false,
  content: EXECUTABLE_CONTENT,
  parse: parseGoBinary,
  purl: goPurl,
};
