import * as zlib from 'node:zlib';
import type { CatalogedPackage, ParseResult, SyncCataloger } from '../../cataloger';
import { clip, MAX_FIELD, WarningSink } from '../common/text';
import { isObject, parseYamlLimited, scalarText } from '../common/yaml';
import { gemPurl } from './purl';

const MAX_METADATA_BYTES = 4 * 1024 * 1024;

/**
 * A gem's specification as `gem build` stores it: `metadata.gz` at the root of the `.gem`
 * (a plain tar), a gzipped YAML dump of Gem::Specification. Read as data (the Ruby tags are
 * ignored, nothing is evaluated), inflated to at most 4 MiB.
 */
export function parseGemMetadata(path: string, content: Buffer): ParseResult {
  const warnings = new WarningSink(path);
  let yaml: Buffer;
  try {
    yaml = zlib.gunzipSync(content, { maxOutputLength: MAX_METADATA_BYTES });
  } catch (err) {
    warnings.add(`gem metadata not inflated: ${(err as Error).message}`);
    return { packages: [], warnings: warnings.list() };
  }
  const parsed = parseYamlLimited(yaml, { strings: true });
  if ('error' in parsed) {
    warnings.add(`gem metadata: ${parsed.error}`);
    return { packages: [], warnings: warnings.list() };
  }
  const spec = parsed.value;
  const name = isObject(spec) ? scalarText(spec.name)?.trim() : undefined;
  // `version: !ruby/object:Gem::Version { version: 3.0.8 }`
  const rawVersion = isObject(spec) ? (isObject(spec.version) ? spec.version.version : spec.version) : undefined;
  const version = scalarText(rawVersion)?.trim();
  if (!isObject(spec) || !name || !version) {
    warnings.add('gem metadata without a name or a version');
    return { packages: [], warnings: warnings.list() };
  }
  const licenses = Array.isArray(spec.licenses) ? spec.licenses.map(scalarText).filter((l): l is string => !!l).slice(0, 20) : [];
  const platform = scalarText(spec.platform);
  const pkg: CatalogedPackage = {
    ecosystem: 'ruby',
    name: clip(name, MAX_FIELD),
    version: clip(version, MAX_FIELD),
    licenses: licenses.map((l) => clip(l, MAX_FIELD)),
    metadata: { source: 'metadata.gz', ...(platform && platform !== 'ruby' ? { platform: clip(platform, 64) } : {}) },
  };
  return { packages: [pkg], warnings: warnings.list() };
}

/** A `.gem` pushed as an OCI artifact: its root `metadata.gz`. Only offered artifacts' tar layers (sbom/artifact/). */
export const gemArchiveCataloger: SyncCataloger = {
  name: 'ruby-gem',
  maxFileSize: 1024 * 1024,
  wants: (path) => path === 'metadata.gz',
  parse: parseGemMetadata,
  purl: gemPurl,
};
