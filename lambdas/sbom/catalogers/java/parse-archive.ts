import type { Readable } from 'node:stream';
import * as yauzl from 'yauzl';
import type { CatalogedPackage, ParseResult } from '../../cataloger';
import { clip, MAX_FIELD, MAX_METADATA, WarningSink } from '../common/text';
import { parseManifest, parseProperties } from './parse-properties';

/**
 * Limits that keep a hostile archive (zip bomb, overlapping or self-containing entries, deep
 * nesting) cheap. The outer archive is already in memory (at most the cataloger's 48 MiB); these
 * bound everything read from inside it, across all nesting levels of one file.
 */
export const JAVA_LIMITS = {
  /** Archives inside archives inside the file (an ear's war's jar is depth 2). */
  maxDepth: 3,
  /** Entries listed in one archive's central directory. */
  maxEntries: 100_000,
  /** Entries listed across the file and every nested archive. */
  maxTotalEntries: 250_000,
  /** Nested archives opened in all. */
  maxArchives: 5_000,
  /** pom.properties and MANIFEST.MF are small: bigger ones are not read. */
  maxMetadataFile: 1024 * 1024,
  /** A compressed nested archive is inflated into memory up to this size (stored ones are read in place). */
  maxNestedInflated: 16 * 1024 * 1024,
  /** Bytes inflated from the file in all (metadata files and nested archives). */
  maxTotalInflated: 256 * 1024 * 1024,
};

const ARCHIVE_EXTENSIONS = new Set(['jar', 'war', 'ear', 'jpi', 'hpi', 'par', 'sar', 'nar', 'kar', 'lpkg']);

/** The lower-cased extension when it names a Java archive type. */
export function javaArchiveExtension(name: string): string | undefined {
  const dot = name.lastIndexOf('.');
  if (dot < 0 || dot < name.lastIndexOf('/') || name.length - dot > 5) return undefined;
  const ext = name.slice(dot + 1).toLowerCase();
  return ARCHIVE_EXTENSIONS.has(ext) ? ext : undefined;
}

/** `spring-core-6.1.4.jar` → [`spring-core`, `6.1.4`] (`_` too, as Eclipse bundles write it); a name without a version suffix → [stem]. */
export function splitArchiveName(fileName: string): [name: string, version?: string] {
  const base = fileName.slice(fileName.lastIndexOf('/') + 1);
  const stem = clip(base.slice(0, base.lastIndexOf('.') > 0 ? base.lastIndexOf('.') : base.length), 255);
  const [, name, version] = /^(.+?)[-_](\d[\w.+~-]*)$/.exec(stem) ?? [];
  return name !== undefined && version !== undefined ? [name, version] : [stem];
}

interface State {
  readonly warnings: WarningSink;
  readonly packages: CatalogedPackage[];
  readonly seen: Set<string>;
  entries: number;
  archives: number;
  inflated: number;
}

/** `META-INF/maven/<group>/<artifact>/pom.properties` → [group, artifact]. */
function pomPropertiesPath(name: string): [group: string, artifact: string] | undefined {
  if (!name.startsWith('META-INF/maven/') || !name.endsWith('/pom.properties')) return undefined;
  const parts = name.split('/');
  return parts.length === 5 && parts[2] && parts[3] ? [parts[2], parts[3]] : undefined;
}

function entryName(e: yauzl.Entry): string {
  const raw = e.fileName as unknown;
  return Buffer.isBuffer(raw) ? raw.toString('utf8') : String(raw);
}

async function readStream(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of stream) {
    n += (chunk as Buffer).length;
    if (n > limit) {
      stream.destroy();
      throw new Error(`inflates to more than ${limit} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, n);
}

/** An entry's bytes: a view into the archive when stored, else inflated within the limits. */
async function entryBytes(zip: yauzl.ZipFile, buf: Buffer, e: yauzl.Entry, limit: number, state: State): Promise<Buffer> {
  if (e.isEncrypted()) throw new Error('encrypted');
  if (e.compressionMethod === 0) {
    const { fileDataStart } = await zip.readLocalFileHeaderPromise(e, { minimal: true });
    if (fileDataStart + e.compressedSize > buf.length) throw new Error('entry data beyond the end of the archive');
    return buf.subarray(fileDataStart, fileDataStart + e.compressedSize);
  }
  if (e.compressionMethod !== 8) throw new Error(`compression method ${e.compressionMethod} not supported`);
  const room = JAVA_LIMITS.maxTotalInflated - state.inflated;
  if (e.uncompressedSize > limit) throw new Error(`declares ${e.uncompressedSize} bytes, more than the ${limit} read`);
  if (e.uncompressedSize > room) throw new Error(`would inflate beyond the ${JAVA_LIMITS.maxTotalInflated} bytes read from one file`);
  // yauzl checks the stream against the declared size (validateEntrySizes): a lying entry errors out.
  const data = await readStream(await zip.openReadStreamPromise(e), Math.min(limit, room));
  state.inflated += data.length;
  return data;
}

function add(state: State, pkg: CatalogedPackage): void {
  const key = `${pkg.namespace ?? ''}\u0000${pkg.name}\u0000${pkg.version}`;
  if (state.seen.has(key)) return;
  state.seen.add(key);
  state.packages.push(pkg);
}

/** `a.b.c.d` → `a.b.c`: the group of an OSGi symbolic name or module name that ends with the artifact. */
function groupFromDotted(name: string | undefined): string | undefined {
  const v = name?.split(';')[0]?.trim();
  if (!v || !/^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)+$/.test(v)) return undefined;
  return v.slice(0, v.lastIndexOf('.'));
}

function fromManifest(manifest: Map<string, string>, archiveName: string, nested: string | undefined): CatalogedPackage | undefined {
  const [fileStem, fileVersion] = splitArchiveName(archiveName);
  const symbolic = manifest.get('bundle-symbolicname')?.split(';')[0]?.trim();
  const name = fileStem || manifest.get('implementation-title') || symbolic?.slice(symbolic.lastIndexOf('.') + 1);
  const version = manifest.get('implementation-version') || manifest.get('bundle-version') || fileVersion || manifest.get('specification-version');
  if (!name || !version) return undefined;
  const group = manifest.get('implementation-vendor-id') || groupFromDotted(symbolic) || groupFromDotted(manifest.get('automatic-module-name'));
  const metadata: Record<string, string> = { source: 'MANIFEST.MF', confidence: 'low' };
  for (const [k, label] of [
    ['implementation-title', 'implementationTitle'],
    ['implementation-vendor', 'implementationVendor'],
    ['bundle-symbolicname', 'bundleSymbolicName'],
  ] as const) {
    const v = manifest.get(k);
    if (v) metadata[label] = clip(v, MAX_METADATA);
  }
  if (nested) metadata.nestedPath = clip(nested, MAX_METADATA);
  return { ecosystem: 'java', name: clip(name, MAX_FIELD), ...(group ? { namespace: clip(group, MAX_FIELD) } : {}), version: clip(version, MAX_FIELD), licenses: [], metadata };
}

async function openZip(buf: Buffer): Promise<yauzl.ZipFile> {
  return yauzl.fromBufferPromise(buf, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, strictFileNames: false });
}

/**
 * Reads one archive (the file, or a nested one at `nested`): its pom.properties (one package
 * each), its manifest when it has none, then its nested archives, depth first.
 */
async function readArchive(buf: Buffer, archiveName: string, nested: string | undefined, depth: number, state: State): Promise<void> {
  const where = nested ? `nested archive ${nested}` : 'archive';
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(buf);
  } catch (err) {
    state.warnings.add(`${where} is not a readable zip: ${(err as Error).message}`);
    return;
  }
  if (zip.entryCount > JAVA_LIMITS.maxEntries) {
    state.warnings.add(`${where} lists ${zip.entryCount} entries, more than the ${JAVA_LIMITS.maxEntries} read; skipped`);
    return;
  }
  if (state.entries + zip.entryCount > JAVA_LIMITS.maxTotalEntries) {
    state.warnings.add(`${where}: more than ${JAVA_LIMITS.maxTotalEntries} entries in this file and its nested archives; the rest are not read`);
    return;
  }
  state.entries += zip.entryCount;
  const poms: { entry: yauzl.Entry; group: string; artifact: string; name: string }[] = [];
  const inner: { entry: yauzl.Entry; name: string }[] = [];
  let manifestEntry: yauzl.Entry | undefined;
  try {
    for await (const e of zip.eachEntry()) {
      const name = entryName(e);
      if (name.endsWith('/')) continue;
      const pom = pomPropertiesPath(name);
      if (pom) poms.push({ entry: e, group: pom[0], artifact: pom[1], name });
      else if (name.toUpperCase() === 'META-INF/MANIFEST.MF') manifestEntry ??= e;
      else if (javaArchiveExtension(name)) inner.push({ entry: e, name });
    }
  } catch (err) {
    state.warnings.add(`${where}: central directory unreadable: ${(err as Error).message}`);
    return;
  }
  const label = (entry: string) => (nested ? `${nested}!/${entry}` : entry);
  for (const pom of poms) {
    let text: string;
    try {
      text = (await entryBytes(zip, buf, pom.entry, JAVA_LIMITS.maxMetadataFile, state)).toString('utf8');
    } catch (err) {
      state.warnings.add(`${label(pom.name)}: ${(err as Error).message}; skipped`);
      continue;
    }
    const props = parseProperties(text);
    const group = props.get('groupId')?.trim() || pom.group;
    const artifact = props.get('artifactId')?.trim() || pom.artifact;
    const version = props.get('version')?.trim();
    if (!version) {
      state.warnings.add(`${label(pom.name)} has no version; skipped`);
      continue;
    }
    add(state, {
      ecosystem: 'java',
      namespace: clip(group, MAX_FIELD),
      name: clip(artifact, MAX_FIELD),
      version: clip(version, MAX_FIELD),
      licenses: [],
      metadata: { source: 'pom.properties', confidence: 'high', ...(nested ? { nestedPath: clip(nested, MAX_METADATA) } : {}) },
    });
  }
  if (poms.length === 0 && manifestEntry) {
    try {
      const manifest = parseManifest((await entryBytes(zip, buf, manifestEntry, JAVA_LIMITS.maxMetadataFile, state)).toString('utf8'));
      const pkg = fromManifest(manifest, archiveName, nested);
      if (pkg) add(state, pkg);
    } catch (err) {
      state.warnings.add(`${label('META-INF/MANIFEST.MF')}: ${(err as Error).message}; skipped`);
    }
  }
  for (const { entry, name } of inner) {
    if (depth + 1 > JAVA_LIMITS.maxDepth) {
      state.warnings.add(`${label(name)}: archives nested more than ${JAVA_LIMITS.maxDepth} deep are not read`);
      break;
    }
    if (state.archives >= JAVA_LIMITS.maxArchives) {
      state.warnings.add(`more than ${JAVA_LIMITS.maxArchives} nested archives; the rest are not read`);
      break;
    }
    state.archives += 1;
    let bytes: Buffer;
    try {
      bytes = await entryBytes(zip, buf, entry, JAVA_LIMITS.maxNestedInflated, state);
    } catch (err) {
      state.warnings.add(`${label(name)}: ${(err as Error).message}; skipped`);
      continue;
    }
    await readArchive(bytes, name, label(name), depth + 1, state);
  }
}

/**
 * Java archives (jar, war, ear, and Jenkins/OSGi/… variants) and the archives nested in them
 * (Spring Boot `BOOT-INF/lib`, `WEB-INF/lib`, ear modules): one package per
 * `META-INF/maven/<group>/<artifact>/pom.properties`; an archive without any is described by its
 * manifest (Implementation-/Bundle- headers and its file name), marked `confidence: low`. Never
 * throws: unreadable parts become warnings.
 */
export async function parseJavaArchive(path: string, content: Buffer): Promise<ParseResult> {
  const state: State = { warnings: new WarningSink(path), packages: [], seen: new Set(), entries: 0, archives: 0, inflated: 0 };
  try {
    await readArchive(content, path, undefined, 0, state);
  } catch (err) {
    state.warnings.add(`archive could not be read: ${(err as Error).message}`);
  }
  return { packages: state.packages, warnings: state.warnings.list() };
}
