import type { CatalogedPackage, ParseResult } from '../../cataloger';
import { clip, decodeText, isBlank, MAX_FIELD, MAX_METADATA, preview, splitLines, WarningSink } from '../common/text';

/** Package-level fields that appear once per stanza (file records F/R/a/M/Z repeat by design). */
const SINGLE_FIELDS = new Set(['P', 'V', 'A', 'L', 'o', 'm', 'U', 'T', 'c', 't', 'C', 'S', 'I']);

/**
 * Splits an apk `L:` value into licences, as Syft does: an SPDX expression (`MPL-2.0 AND MIT`,
 * `GPL-2.0-or-later WITH Classpath-exception-2.0`, anything with parentheses) is one licence;
 * an old-style space-separated list (`MIT BSD GPL2+`) is several.
 */
export function splitApkLicense(value: string): string[] {
  const trimmed = value.trim();
  if (!trimmed) return [];
  if (/[()]| (?:AND|OR|WITH) /.test(trimmed) || /^\S+$/.test(trimmed)) return [clip(trimmed, MAX_FIELD)];
  return trimmed.split(/\s+/).map((l) => clip(l, MAX_FIELD));
}

type Fields = Map<string, string>;

/**
 * Parses apk's `lib/apk/db/installed`: stanzas of `X:value` lines separated by blank lines, one
 * per installed package (the database lists nothing else). Lines that are not `X:value` and
 * repeated package fields are skipped with a warning; stanzas without `P` or `V` are skipped
 * with a warning. Linear in the input; never throws.
 */
export function parseApkInstalled(path: string, content: Buffer): ParseResult {
  const warnings = new WarningSink(path);
  const packages: CatalogedPackage[] = [];
  let fields: Fields = new Map();
  let start = 0;

  const finish = (): void => {
    if (fields.size > 0) {
      const pkg = toPackage(fields, start, warnings);
      if (pkg) packages.push(pkg);
    }
    fields = new Map();
  };

  const lines = splitLines(decodeText(content));
  let sawContent = false;
  for (const [i, line] of lines.entries()) {
    if (isBlank(line)) {
      finish();
      continue;
    }
    sawContent = true;
    if (line.length < 2 || line.charCodeAt(1) !== 58 /* : */ || line.charCodeAt(0) <= 32) {
      warnings.add(`line ${i + 1}: not an apk "X:value" line: ${preview(line)}`);
      continue;
    }
    const key = line.charAt(0);
    const value = line.slice(2).trim();
    if (!value || !SINGLE_FIELDS.has(key)) continue;
    if (fields.size === 0) start = i + 1;
    if (fields.has(key)) {
      warnings.add(`line ${i + 1}: duplicate field ${key}: ignored`);
      continue;
    }
    fields.set(key, value);
  }
  finish();
  if (packages.length === 0 && sawContent) warnings.add('no apk packages found');
  return { packages, warnings: warnings.list() };
}

function toPackage(fields: Fields, line: number, warnings: WarningSink): CatalogedPackage | undefined {
  const name = fields.get('P');
  const version = fields.get('V');
  if (!name || !version) {
    warnings.add(`line ${line}: apk entry without ${name ? 'V (version)' : 'P (name)'} skipped`);
    return undefined;
  }
  const arch = fields.get('A');
  const origin = fields.get('o');
  const metadata: Record<string, string> = {};
  for (const [key, field] of [
    ['maintainer', 'm'],
    ['url', 'U'],
    ['description', 'T'],
    ['commit', 'c'],
  ] as const) {
    const value = fields.get(field);
    if (value) metadata[key] = clip(value, MAX_METADATA);
  }
  return {
    ecosystem: 'apk',
    name: clip(name, MAX_FIELD),
    version: clip(version, MAX_FIELD),
    ...(arch ? { arch: clip(arch, MAX_FIELD) } : {}),
    ...(origin && origin !== name ? { sourceName: clip(origin, MAX_FIELD) } : {}),
    licenses: splitApkLicense(fields.get('L') ?? ''),
    ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
  };
}
