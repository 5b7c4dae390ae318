import type { CatalogedPackage, ParseResult } from '../../cataloger';
import { clip, decodeText, MAX_FIELD, MAX_METADATA, preview, splitLines, WarningSink } from '../common/text';

/** Header fields by lower-cased name, every occurrence in order; continuation lines joined with `\n`. */
export type MetadataHeaders = ReadonlyMap<string, readonly string[]>;

/**
 * Reads the header block of a core-metadata file (`METADATA`, `PKG-INFO`, single-file
 * `.egg-info`): RFC 822 style `Name: value` lines, continuation lines starting with a space or
 * tab (a whitespace-only line is a continuation, as in Python's email parser), ending at the
 * first empty line, after which comes the description body, which is not read. A line that is
 * neither also ends the headers (Python treats the rest as body), with a warning.
 */
export function readMetadataHeaders(lines: readonly string[], warnings: WarningSink): MetadataHeaders {
  const headers = new Map<string, string[]>();
  let current: { values: string[]; index: number; continuation: string[] } | undefined;
  const flush = (): void => {
    if (current && current.continuation.length > 0) {
      current.values[current.index] = [current.values[current.index], ...current.continuation].join('\n');
    }
    current = undefined;
  };
  for (const [i, line] of lines.entries()) {
    if (line === '') break;
    const first = line.charCodeAt(0);
    if (first === 32 || first === 9) {
      if (current) current.continuation.push(line.trim());
      continue;
    }
    flush();
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    if (!name || /\s/.test(name)) {
      warnings.add(`line ${i + 1}: headers end at a line that is not "Name: value": ${preview(line)}`);
      break;
    }
    const key = name.toLowerCase();
    let values = headers.get(key);
    if (!values) headers.set(key, (values = []));
    values.push(line.slice(colon + 1).trim());
    current = { values, index: values.length - 1, continuation: [] };
  }
  flush();
  return headers;
}

const firstValue = (headers: MetadataHeaders, name: string): string | undefined =>
  headers.get(name)?.find((v) => v.trim() !== '')?.trim();

/** Placeholder values old setuptools wrote for a missing licence. */
const NO_LICENSE = new Set(['unknown', 'none', 'n/a', 'na', '-', 'license', 'other']);

/** Longest `License:` value taken as a licence name rather than licence text. */
const MAX_LICENSE_NAME = 100;

/**
 * Declared licences, from the first source that gives any:
 * 1. `License-Expression` (core metadata 2.4, an SPDX expression);
 * 2. `License`, when it is a short single-line name (`MIT`, `PSF or ZPL`, `Apache 2.0`) rather
 *    than a pasted licence text or a placeholder like `UNKNOWN`;
 * 3. `Classifier: License :: …` trove classifiers, as their last segment (`MIT License`,
 *    `BSD License`), skipping the bare `License :: OSI Approved`.
 */
export function pythonLicenses(headers: MetadataHeaders): string[] {
  const expression = firstValue(headers, 'license-expression');
  if (expression) return [clip(expression.replace(/\s+/g, ' '), MAX_FIELD)];

  const license = firstValue(headers, 'license');
  if (license && !license.includes('\n') && license.length <= MAX_LICENSE_NAME && !NO_LICENSE.has(license.toLowerCase())) {
    return [license];
  }

  const found = new Set<string>();
  for (const classifier of headers.get('classifier') ?? []) {
    const parts = classifier.split('::').map((p) => p.trim());
    if (parts[0] !== 'License' || parts.length < 2) continue;
    const last = parts[parts.length - 1];
    if (last && !(parts.length === 2 && last === 'OSI Approved')) found.add(clip(last, MAX_FIELD));
  }
  return [...found];
}

/**
 * Parses one installed Python distribution's core metadata. `Name` and `Version` are required
 * (else a warning and no package); the first occurrence of each wins. Never throws.
 */
export function parsePythonMetadata(path: string, content: Buffer): ParseResult {
  const warnings = new WarningSink(path);
  const headers = readMetadataHeaders(splitLines(decodeText(content)), warnings);
  const name = firstValue(headers, 'name');
  const version = firstValue(headers, 'version');
  if (!name || !version) {
    const missing = [name ? '' : 'Name', version ? '' : 'Version'].filter(Boolean).join(' and ');
    warnings.add(`core metadata without ${missing}`);
    return { packages: [], warnings: warnings.list() };
  }
  if (/\s/.test(name) || /\s/.test(version)) {
    warnings.add(`whitespace in Name or Version: ${preview(`${name} ${version}`)}`);
    return { packages: [], warnings: warnings.list() };
  }
  const metadata: Record<string, string> = {};
  for (const [key, field] of [
    ['summary', 'summary'],
    ['homepage', 'home-page'],
    ['author', 'author'],
    ['authorEmail', 'author-email'],
  ] as const) {
    const value = firstValue(headers, field);
    if (value) metadata[key] = clip(value.replace(/\s+/g, ' '), MAX_METADATA);
  }
  const pkg: CatalogedPackage = {
    ecosystem: 'python',
    name: clip(name, MAX_FIELD),
    version: clip(version, MAX_FIELD),
    licenses: pythonLicenses(headers),
    ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
  };
  return { packages: [pkg], warnings: warnings.list() };
}
