import type { ParseResult } from '../../cataloger';
import { parseDeb822 } from '../common/deb822';
import { clip, decodeText, splitLines, WarningSink } from '../common/text';

const COPYRIGHT_PREFIX = 'usr/share/doc/';
const COPYRIGHT_SUFFIX = '/copyright';

/** Longest licence short name kept; DEP-5 short names are a few words. */
const MAX_LICENSE = 200;

/** `usr/share/doc/<package>/copyright` → `<package>`, else undefined. */
export function copyrightPackageName(path: string): string | undefined {
  if (!path.startsWith(COPYRIGHT_PREFIX) || !path.endsWith(COPYRIGHT_SUFFIX)) return undefined;
  const name = path.slice(COPYRIGHT_PREFIX.length, path.length - COPYRIGHT_SUFFIX.length);
  return name.length > 0 && !name.includes('/') ? name : undefined;
}

/**
 * Licence short names of a Debian copyright file.
 *
 * Machine-readable (DEP-5) files, recognised by a `Format:` field in the first stanza: the
 * first line of the `License:` field of the header stanza and of every `Files:` stanza, in
 * order of first appearance, whitespace collapsed (`GPL-3+`, `GPL-3+ with Bison exception`,
 * `BSD-3-clause or GPL-2`). Stand-alone `License:` stanzas only hold licence texts and are not
 * counted. Free-form files (and DEP-5 files without any `License:` value): the licences named
 * by `/usr/share/common-licenses/<name>` references, as Syft does (`LGPL-2.1`, `GPL-2`).
 */
export function extractCopyrightLicenses(text: string, warnings: WarningSink): string[] {
  const found = new Set<string>();
  const stanzas = parseDeb822(splitLines(text), new WarningSink('', 0));
  const header = stanzas[0];
  const machineReadable =
    header !== undefined && (header.fields.has('format') || header.fields.has('format-specification'));
  if (machineReadable) {
    stanzas.forEach((stanza, index) => {
      if (index !== 0 && !stanza.fields.has('files')) return;
      const license = stanza.fields.get('license')?.value.replace(/\s+/g, ' ').trim();
      if (license) found.add(clip(license, MAX_LICENSE));
    });
  }
  if (found.size === 0) {
    for (const match of text.matchAll(/\/usr\/share\/common-licenses\/([A-Za-z0-9][A-Za-z0-9_.+-]{0,100})/g)) {
      const name = (match[1] ?? '').replace(/\.+$/, '');
      if (name) found.add(name);
    }
  }
  if (machineReadable && found.size === 0) warnings.add('machine-readable copyright file without License fields', 'metadata');
  return [...found];
}

/**
 * Parses `usr/share/doc/<package>/copyright` into a licence fact for `<package>` (no packages:
 * the engine attaches the fact to the dpkg package of that name). Its warnings are `metadata`:
 * packages come from the dpkg database, a copyright file only adds licences to them.
 */
export function parseCopyright(path: string, content: Buffer): ParseResult {
  const warnings = new WarningSink(path);
  const packageName = copyrightPackageName(path);
  if (!packageName) {
    warnings.add('not a usr/share/doc/<package>/copyright path', 'metadata');
    return { packages: [], warnings: warnings.list() };
  }
  const licenses = extractCopyrightLicenses(decodeText(content), warnings);
  return {
    packages: [],
    warnings: warnings.list(),
    ...(licenses.length > 0 ? { licenseFacts: [{ packageName, licenses }] } : {}),
  };
}
