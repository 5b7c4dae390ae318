import type { CatalogedPackage, ParseResult } from '../../cataloger';
import { clip, decodeText, MAX_FIELD, WarningSink } from '../common/text';
import { readZipEntry } from '../common/zip';

const XML_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function xmlText(v: string): string {
  return v.replace(/&(amp|lt|gt|quot|apos);/g, (_m, e: string) => XML_ENTITIES[e] ?? '').trim();
}

/** The text of `<tag …>text</tag>` inside `scope`, the first one (no nested elements). */
function element(scope: string, tag: string): { text: string; attrs: string } | undefined {
  const open = new RegExp(`<${tag}(\\s[^>]{0,500})?>`).exec(scope);
  if (!open) return undefined;
  const start = open.index + open[0].length;
  const end = scope.indexOf(`</${tag}>`, start);
  if (end < 0 || end - start > 4096) return undefined;
  return { text: xmlText(scope.slice(start, end)), attrs: open[1] ?? '' };
}

/**
 * A NuGet package's manifest (`<id>.nuspec` at the root of a `.nupkg`): `metadata/id`,
 * `metadata/version`, and the licence when it is an SPDX expression (`<license type="expression">`).
 * Read with plain text search, no XML parser: a nuspec is small and flat. Never throws.
 */
export function parseNuspec(path: string, content: Buffer): ParseResult {
  const warnings = new WarningSink(path);
  const text = decodeText(content);
  const start = text.search(/<metadata[\s>]/);
  const end = text.indexOf('</metadata>');
  const metadata = start >= 0 && end > start ? text.slice(start, end) : undefined;
  const id = metadata ? element(metadata, 'id')?.text : undefined;
  const version = metadata ? element(metadata, 'version')?.text : undefined;
  if (!id || !version) {
    warnings.add('nuspec without metadata/id or metadata/version');
    return { packages: [], warnings: warnings.list() };
  }
  const license = metadata ? element(metadata, 'license') : undefined;
  const pkg: CatalogedPackage = {
    ecosystem: 'dotnet',
    name: clip(id, MAX_FIELD),
    version: clip(version, MAX_FIELD),
    licenses: license && /type\s*=\s*["']expression["']/.test(license.attrs) && license.text ? [clip(license.text, MAX_FIELD)] : [],
    metadata: { source: 'nuspec' },
  };
  return { packages: [pkg], warnings: warnings.list() };
}

/** A `.nupkg` (a zip): the package its root `*.nuspec` describes. Never throws. */
export async function parseNupkg(path: string, content: Buffer): Promise<ParseResult> {
  const entry = await readZipEntry(content, (name) => !name.includes('/') && name.toLowerCase().endsWith('.nuspec'));
  if (!entry) return { packages: [], warnings: [{ path, message: 'nupkg without a root *.nuspec: its package is not in this SBOM' }] };
  if ('error' in entry) return { packages: [], warnings: [{ path, message: `nuspec not read: ${entry.error}` }] };
  return parseNuspec(`${path}!/${entry.name}`, entry.data);
}
