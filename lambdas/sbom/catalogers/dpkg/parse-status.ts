import type { CatalogedPackage, ParseResult } from '../../cataloger';
import { fieldValue, parseDeb822, type Deb822Stanza } from '../common/deb822';
import { clip, decodeText, MAX_FIELD, MAX_METADATA, preview, splitLines, WarningSink } from '../common/text';

export interface DpkgStatusOptions {
  /**
   * True for distroless `var/lib/dpkg/status.d/<name>` files, whose stanzas usually carry no
   * `Status` field: a stanza there without one counts as installed.
   */
  readonly statusOptional: boolean;
}

/** Wanted states of `Status: <want> <flag> <state>` that make a stanza an installed package. */
const INSTALLED_WANTS = new Set(['install', 'hold']);

/**
 * Whether a `Status` value describes an installed package: want `install` or `hold`, no error
 * flag (`ok`), state `installed`. Everything else is not a package: `deinstall ok config-files`
 * (`rc`: removed, configuration left), `half-installed`, `unpacked`, `half-configured`,
 * `triggers-awaited`/`triggers-pending`, `reinstreq` flags, and `deinstall`/`purge ok installed`
 * (selected for removal; Syft skips these too).
 */
export function isInstalledStatus(status: string): boolean {
  const [want = '', flag, state, ...more] = status.trim().split(/\s+/);
  return more.length === 0 && INSTALLED_WANTS.has(want) && flag === 'ok' && state === 'installed';
}

/**
 * Splits `Source: name` / `Source: name (version)` into its parts. Returns undefined for an
 * empty or malformed value.
 */
export function parseSourceField(value: string): { name: string; version?: string } | undefined {
  const trimmed = value.trim();
  const space = trimmed.search(/\s/);
  if (space < 0) return trimmed ? { name: trimmed } : undefined;
  const name = trimmed.slice(0, space);
  const rest = trimmed.slice(space).trim();
  if (rest.startsWith('(') && rest.endsWith(')')) {
    const version = rest.slice(1, -1).trim();
    return version ? { name, version } : { name };
  }
  return { name };
}

/** Parses a dpkg `status` file or a distroless `status.d/*` file into installed packages. */
export function parseDpkgStatus(path: string, content: Buffer, options: DpkgStatusOptions): ParseResult {
  const warnings = new WarningSink(path);
  const packages: CatalogedPackage[] = [];
  const seen = new Set<string>();
  const stanzas = parseDeb822(splitLines(decodeText(content)), warnings);
  for (const stanza of stanzas) {
    const pkg = toPackage(stanza, options, warnings);
    if (!pkg) continue;
    const key = `${pkg.name}\u0000${pkg.arch ?? ''}`;
    if (seen.has(key)) {
      warnings.add(`line ${stanza.line}: package ${preview(pkg.name)} (${pkg.arch ?? 'no arch'}) listed twice; kept the first`);
      continue;
    }
    seen.add(key);
    packages.push(pkg);
  }
  if (stanzas.length === 0 && content.length > 0) warnings.add('no dpkg stanzas found');
  return { packages, warnings: warnings.list() };
}

function toPackage(stanza: Deb822Stanza, options: DpkgStatusOptions, warnings: WarningSink): CatalogedPackage | undefined {
  const name = fieldValue(stanza, 'package');
  if (!name) {
    warnings.add(`line ${stanza.line}: stanza without a Package field skipped`);
    return undefined;
  }
  const status = fieldValue(stanza, 'status');
  if (status === undefined) {
    if (!options.statusOptional) {
      warnings.add(`line ${stanza.line}: package ${preview(name)} has no Status field; skipped`);
      return undefined;
    }
  } else if (!isInstalledStatus(status)) {
    return undefined;
  }
  const version = fieldValue(stanza, 'version');
  if (!version) {
    warnings.add(`line ${stanza.line}: package ${preview(name)} has no Version; skipped`);
    return undefined;
  }
  if (/\s/.test(name) || /\s/.test(version)) {
    warnings.add(`line ${stanza.line}: package ${preview(name)} has whitespace in its name or version; skipped`);
    return undefined;
  }

  const arch = fieldValue(stanza, 'architecture');
  const source = parseSourceField(fieldValue(stanza, 'source') ?? '');
  const sourceVersion = source?.version && source.version !== version ? clip(source.version, MAX_FIELD) : undefined;
  const sourceName = source && (source.name !== name || sourceVersion) ? clip(source.name, MAX_FIELD) : undefined;

  const metadata: Record<string, string> = {};
  const addMeta = (key: string, field: string): void => {
    const value = fieldValue(stanza, field);
    if (value) metadata[key] = clip(value, MAX_METADATA);
  };
  addMeta('maintainer', 'maintainer');
  addMeta('homepage', 'homepage');
  addMeta('installedSize', 'installed-size');
  addMeta('section', 'section');
  addMeta('description', 'description');

  return {
    ecosystem: 'dpkg',
    name: clip(name, MAX_FIELD),
    version: clip(version, MAX_FIELD),
    ...(arch ? { arch: clip(arch, MAX_FIELD) } : {}),
    ...(sourceName ? { sourceName } : {}),
    ...(sourceVersion ? { sourceVersion } : {}),
    licenses: [],
    ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
  };
}
