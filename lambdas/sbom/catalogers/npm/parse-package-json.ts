import type { CatalogedPackage, ParseResult } from '../../cataloger';
import { clip, MAX_FIELD, MAX_METADATA, parseJsonDocument, WarningSink } from '../common/text';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const nonEmpty = (value: unknown): string | undefined => {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed ? trimmed : undefined;
};

/** A licence entry: `"MIT"` or `{ "type": "MIT", "url": ... }`. */
function licenseEntry(value: unknown): string | undefined {
  return nonEmpty(value) ?? (isObject(value) ? nonEmpty(value.type) : undefined);
}

/**
 * Declared licences: `license` (an SPDX expression string, or the deprecated `{ type }` object;
 * a misused array is read like `licenses`), else the legacy `licenses` array of strings or
 * `{ type }` objects. Duplicates dropped, order kept; values such as `SEE LICENSE IN LICENSE.md`
 * or `UNLICENSED` are kept as written.
 */
export function npmLicenses(json: Json): string[] {
  const pick = (value: unknown): string[] => {
    if (Array.isArray(value)) return value.slice(0, 100).map(licenseEntry).filter((l): l is string => l !== undefined);
    const single = licenseEntry(value);
    return single ? [single] : [];
  };
  const found = pick(json.license);
  const licenses = found.length > 0 ? found : pick(json.licenses);
  return [...new Set(licenses.map((l) => clip(l, MAX_FIELD)))];
}

/** `"Name <email> (url)"` or `{ name, email }` → a display string. */
function person(value: unknown): string | undefined {
  const text = nonEmpty(value);
  if (text) return text;
  if (!isObject(value)) return undefined;
  const name = nonEmpty(value.name);
  const email = nonEmpty(value.email);
  if (name && email) return `${name} <${email}>`;
  return name ?? email;
}

/**
 * Splits an npm package name into scope (without `@`) and bare name. Returns undefined for a name
 * npm would not install: empty parts, more than one `/`, a `/` without a scope, whitespace.
 */
export function splitNpmName(fullName: string): { namespace?: string; name: string } | undefined {
  if (/\s/.test(fullName)) return undefined;
  if (fullName.startsWith('@')) {
    const slash = fullName.indexOf('/');
    const scope = fullName.slice(1, slash);
    const name = fullName.slice(slash + 1);
    if (slash < 0 || !scope || !name || name.includes('/')) return undefined;
    return { namespace: scope, name };
  }
  return fullName.includes('/') ? undefined : { name: fullName };
}

/**
 * Parses the `package.json` of an installed npm package. `name` and `version` are required;
 * a scoped name becomes `namespace` (scope without `@`) + `name` (`@babel/core` →
 * `babel` + `core`), as `CatalogedPackage.namespace` documents. Never throws.
 */
export function parsePackageJson(path: string, content: Buffer): ParseResult {
  const warnings = new WarningSink(path);
  const done = (packages: CatalogedPackage[] = []): ParseResult => ({ packages, warnings: warnings.list() });

  const json = parseJsonDocument(content, warnings);
  if (json === undefined) return done();
  if (!isObject(json)) {
    warnings.add(`package.json is ${Array.isArray(json) ? 'an array' : json === null ? 'null' : `a ${typeof json}`}, not an object`);
    return done();
  }
  const fullName = nonEmpty(json.name);
  const version = nonEmpty(json.version);
  if (!fullName || !version) {
    warnings.add(`package.json without ${fullName ? '' : 'name'}${!fullName && !version ? ' and ' : ''}${version ? '' : 'version'}`);
    return done();
  }
  const parts = splitNpmName(fullName);
  if (!parts) {
    warnings.add(`invalid npm package name ${JSON.stringify(clip(fullName, 100))}`);
    return done();
  }
  if (/\s/.test(version)) {
    warnings.add(`invalid version ${JSON.stringify(clip(version, 100))} for ${fullName}`);
    return done();
  }

  const metadata: Record<string, string> = {};
  const add = (key: string, value: string | undefined): void => {
    if (value) metadata[key] = clip(value, MAX_METADATA);
  };
  add('description', nonEmpty(json.description));
  add('homepage', nonEmpty(json.homepage));
  add('author', person(json.author));
  add('repository', nonEmpty(json.repository) ?? (isObject(json.repository) ? nonEmpty(json.repository.url) : undefined));

  return done([
    {
      ecosystem: 'npm',
      name: clip(parts.name, MAX_FIELD),
      version: clip(version, MAX_FIELD),
      ...(parts.namespace ? { namespace: clip(parts.namespace, MAX_FIELD) } : {}),
      licenses: npmLicenses(json),
      ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
    },
  ]);
}
