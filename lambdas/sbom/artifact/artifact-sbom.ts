/**
 * The SBOM of a manifest that is not a container image: a Helm chart (its chart archive) or any
 * other OCI artifact (ORAS pushes, tool-specific artifacts). Its layers are files, not a
 * filesystem: each is inventoried on its own, by content (see {@link artifactSbom}).
 */
import { isForeignLayer } from '../../oci/media-types';
import { HELM_CHART_LAYER_TYPES, HelmMediaType, isEncryptedLayer, ORAS_UNPACK_ANNOTATION, TITLE_ANNOTATION } from '../../oci/artifact-media-types';
import type { Descriptor, FetchedManifest, ImageManifest } from '../../oci/manifest';
import type { ArtifactSource } from '../../oci/source';
import { LARGE_FILE_BUDGET } from '../buffer-budget';
import { buildComponents } from '../build-components';
import type { Cataloger, CatalogWarning, ParseResult } from '../cataloger';
import { catalogers as imageCatalogers, golangCataloger, javaCataloger, rustCataloger } from '../catalogers';
import { executableFormat } from '../catalogers/common/binary';
import { warning } from '../catalogers/common/text';
import { zipEntryNames } from '../catalogers/common/zip';
import { parseNupkg } from '../catalogers/dotnet/nuspec';
import { fileCataloger, filePackage } from '../catalogers/file';
import { helmCataloger } from '../catalogers/helm';
import { inventoryChartArchive } from '../catalogers/helm/parse-chart';
import { npmTarballCataloger } from '../catalogers/npm/tarball';
import { parseWheel, pythonSdistCataloger } from '../catalogers/python/archives';
import { gemArchiveCataloger } from '../catalogers/ruby/gem-archive';
import { javaArchiveExtension } from '../catalogers/java/parse-archive';
import type { Component, ImageSbom, InventoryGap, LayerReport, SbomKind } from '../component';
import type { DecompressionLimits } from '../decompress';
import { absentForeignLayerGap, capGaps, catalogGaps, fileTooLarge } from '../inventory-gaps';
import type { FileResult, LayerCatalog } from '../layers/catalog';
import { LAYER_CATALOG_VERSION } from '../layers/catalog';
import { rootRelative, scanLayer } from '../layers/scan-layer';
import { mergeLayers } from '../overlay';
import { peekStream, readAll, SNIFF_BYTES, sniffLayer } from './sniff';
import type { Progress } from '../../ports/progress';
import { startStage } from '../../ports/progress';

/**
 * Catalogers for a tar layer of an artifact: the image catalogers (a directory pushed with ORAS
 * is a file tree like a layer) and those of package archives pushed as files: an npm tarball
 * (`package/package.json`), a Python sdist (`<name>-<version>/PKG-INFO`), a gem (`metadata.gz`).
 */
export const artifactTarCatalogers: readonly Cataloger[] = [...imageCatalogers, npmTarballCataloger, pythonSdistCataloger, gemArchiveCataloger];

/** Every cataloger whose packages an artifact SBOM may hold (for purls). */
const allCatalogers: readonly Cataloger[] = [...artifactTarCatalogers, helmCataloger, fileCataloger];

export interface ArtifactSbomOptions {
  readonly limits?: DecompressionLimits;
  /** Where progress goes: a stage per artifact, a note per layer read. */
  readonly progress?: Progress;
}

type Note = (line: string) => void;

/** What one layer yielded: its catalog (files → packages), a report, gaps it could not be read past. */
interface LayerOutcome {
  readonly report: LayerReport;
  readonly catalog?: LayerCatalog;
  readonly gap?: InventoryGap;
}

function catalogOf(digest: string, files: Record<string, FileResult>, warnings: readonly CatalogWarning[], entries: number, bytes: number): LayerCatalog {
  return { version: LAYER_CATALOG_VERSION, digest, files, links: {}, whiteouts: [], opaqueDirs: [], warnings: [...warnings], entries, bytes };
}

/** The layer's file name: its `org.opencontainers.image.title`, root-relative, else one made from its digest. */
export function layerTitle(layer: Descriptor): string {
  const title = layer.annotations?.[TITLE_ANNOTATION];
  const clean = title ? rootRelative(title.replace(/\\/g, '/')) : undefined;
  return clean || `blob-${layer.digest.slice(layer.digest.indexOf(':') + 1, layer.digest.indexOf(':') + 13)}`;
}

/**
 * The catalog of a tar layer with its paths inside the file named `archive` (`x.tgz!/package/
 * package.json`, as nested Java archives are written). A directory ORAS packed to unpack in place
 * keeps its tree's own paths (`site/…`).
 */
function withinArchive(catalog: LayerCatalog, archive: string): LayerCatalog {
  const at = (p: string) => `${archive}!/${p}`;
  return {
    ...catalog,
    files: Object.fromEntries(Object.entries(catalog.files).map(([p, f]) => [at(p), f])),
    links: Object.fromEntries(Object.entries(catalog.links).map(([p, l]) => [at(p), l])),
    whiteouts: catalog.whiteouts.map(at),
    opaqueDirs: catalog.opaqueDirs.map(at),
    warnings: catalog.warnings.map((w) => ({ ...w, path: w.path ? at(w.path) : archive })),
  };
}

const isWheel = (name: string) => name.toLowerCase().endsWith('.whl');
const isNupkg = (name: string) => name.toLowerCase().endsWith('.nupkg');

/** A zip read by its own format: a Java archive, a wheel, a nupkg (by name, else by what it holds). */
async function parseZip(name: string, buf: Buffer): Promise<{ cataloger: string; result: ParseResult }> {
  if (isWheel(name)) return { cataloger: 'python', result: await parseWheel(name, buf) };
  if (isNupkg(name)) return { cataloger: 'dotnet', result: await parseNupkg(name, buf) };
  if (javaArchiveExtension(name)) return { cataloger: 'java', result: await javaCataloger.parse(name, buf) };
  const names = await zipEntryNames(buf);
  if ('error' in names) return { cataloger: 'file', result: { packages: [], warnings: [{ path: name, message: names.error }] } };
  if (names.some((n) => /^[^/]+\.dist-info\/METADATA$/.test(n))) return { cataloger: 'python', result: await parseWheel(name, buf) };
  if (names.some((n) => !n.includes('/') && n.toLowerCase().endsWith('.nuspec'))) return { cataloger: 'dotnet', result: await parseNupkg(name, buf) };
  if (names.some((n) => n.toUpperCase() === 'META-INF/MANIFEST.MF' || n.startsWith('META-INF/maven/'))) return { cataloger: 'java', result: await javaCataloger.parse(name, buf) };
  return { cataloger: 'file', result: { packages: [], warnings: [] } };
}

/** An executable read by the Go and Rust catalogers (both may find packages in one file). */
function parseExecutableFile(name: string, buf: Buffer): { cataloger: string; result: ParseResult } {
  if (!executableFormat(buf.subarray(0, 64))) return { cataloger: 'file', result: { packages: [], warnings: [] } };
  const go = golangCataloger.parse(name, buf) as ParseResult;
  const rust = rustCataloger.parse(name, buf) as ParseResult;
  return { cataloger: go.packages.length || !rust.packages.length ? 'golang' : 'rust', result: { packages: [...go.packages, ...rust.packages], warnings: [...go.warnings, ...rust.warnings] } };
}

/**
 * One layer of an artifact, by content:
 * - a Helm chart layer of a chart: the chart archive (catalogers/helm/);
 * - a tar (plain, gzip or zstd, whatever the media type says): a file tree, read by the layer
 *   scanner with {@link artifactTarCatalogers} (an npm tarball, an sdist, a gem are tars);
 * - a zip: a Java archive, a wheel (`*.dist-info/METADATA`), a nupkg (`*.nuspec`);
 * - an ELF, Mach-O or PE executable: Go modules, cargo-auditable crates;
 * - anything else, and any of the above that yields no package: one `file` component (its name,
 *   its digest). Nothing is dropped. Files read whole (zip, executables, charts) are read up to
 *   48 MiB (the buffer arena); a bigger one is listed as a file, and the skip is a gap.
 */
async function inventoryLayer(source: ArtifactSource, layer: Descriptor, role: 'chart' | 'artifact', opts: ArtifactSbomOptions, note: Note): Promise<LayerOutcome> {
  const base = { digest: layer.digest, mediaType: layer.mediaType, size: layer.size };
  const name = layerTitle(layer);
  const single = (cataloger: string, result: ParseResult): LayerOutcome => {
    const packages = result.packages.length ? result.packages : [filePackage(name, layer.digest, layer.mediaType)];
    const owner = result.packages.length ? cataloger : 'file';
    return { report: { ...base, status: 'scanned', entries: 1 }, catalog: catalogOf(layer.digest, { [name]: { cataloger: owner, packages } }, result.warnings, 1, layer.size) };
  };
  const asFile = (gap?: InventoryGap): LayerOutcome => ({ ...single('file', { packages: [], warnings: [] }), ...(gap ? { gap } : {}) });
  const tooLarge = (reader: string): LayerOutcome =>
    asFile({ kind: 'file-skipped', message: `layer ${layer.digest}: ${name} was not inventoried (${fileTooLarge(layer.size, LARGE_FILE_BUDGET, reader).replace(/; skipped$/, '')})`, layer: layer.digest, path: name });

  if (isEncryptedLayer(layer.mediaType)) {
    return { report: { ...base, status: 'skipped', reason: 'encrypted (ocicrypt)' }, gap: { kind: 'layer-skipped', message: `layer ${layer.digest} is encrypted (${layer.mediaType}): its content was not inventoried`, layer: layer.digest } };
  }
  if (role === 'chart' && layer.mediaType === HelmMediaType.provenance) return { report: { ...base, status: 'skipped', reason: 'Helm provenance file: a signature over the chart archive, no content' } };
  if (isForeignLayer(layer.mediaType) && !(await source.hasBlob(layer))) return { report: { ...base, status: 'skipped', reason: 'foreign layer not in the registry' }, gap: absentForeignLayerGap(layer) };

  if (role === 'chart' && HELM_CHART_LAYER_TYPES.has(layer.mediaType)) {
    if (layer.size > helmCataloger.maxFileSize) return tooLarge('helm');
    note(`reading chart archive ${layer.digest} (${layer.size} bytes)`);
    const inv = await inventoryChartArchive(name, await source.readBlob(layer, helmCataloger.maxFileSize));
    const files: Record<string, FileResult> = {};
    for (const [path, packages] of inv.entries) files[path] = { cataloger: 'helm', packages };
    return { report: { ...base, status: 'scanned', entries: inv.entries.size }, catalog: catalogOf(layer.digest, files, inv.warnings, inv.entries.size, layer.size) };
  }

  const { head, whole, discard } = await peekStream(await source.openBlob(layer), SNIFF_BYTES);
  const content = await sniffLayer(head);
  note(`reading ${name} (${layer.digest}, ${layer.size} bytes): ${content.kind === 'tar' ? `tar${content.compression === 'none' ? '' : `+${content.compression}`}` : content.kind}`);
  if (content.kind === 'tar') {
    const scanned = await scanLayer(whole, content.compression, layer.size, layer.digest, { catalogers: artifactTarCatalogers, ...(opts.limits ? { limits: opts.limits } : {}) });
    const catalog = layer.annotations?.[ORAS_UNPACK_ANNOTATION] === 'true' ? scanned : withinArchive(scanned, name);
    const found = Object.values(catalog.files).some((f) => f.packages.length > 0);
    if (found) return { report: { ...base, status: 'scanned', entries: catalog.entries }, catalog };
    // A tree in which nothing is known is listed as the archive it is, not dropped.
    const files = { ...catalog.files, [name]: { cataloger: 'file', packages: [filePackage(name, layer.digest, layer.mediaType)] } };
    return { report: { ...base, status: 'scanned', entries: catalog.entries }, catalog: { ...catalog, files } };
  }
  if (content.kind === 'file') {
    discard();
    return asFile();
  }
  if (layer.size > LARGE_FILE_BUDGET) {
    discard();
    return tooLarge(content.kind === 'zip' ? 'zip archives' : 'executables');
  }
  const buf = await readAll(whole, LARGE_FILE_BUDGET);
  const parsed = content.kind === 'zip' ? await parseZip(name, buf) : parseExecutableFile(name, buf);
  return single(parsed.cataloger, parsed.result);
}

/** Components of several layers' catalogs (each its own file tree), identical purls merged in layer order. */
function componentsOf(catalogs: readonly LayerCatalog[]): Component[] {
  const out = new Map<string, Component>();
  for (const c of catalogs) {
    for (const comp of buildComponents(mergeLayers([c]), [c.digest], allCatalogers, undefined)) {
      const seen = out.get(comp.purl);
      if (!seen) out.set(comp.purl, comp);
      else out.set(comp.purl, { ...seen, licenses: [...new Set([...seen.licenses, ...comp.licenses])], locations: [...seen.locations, ...comp.locations] });
    }
  }
  return [...out.values()].sort((a, b) => (a.purl < b.purl ? -1 : a.purl > b.purl ? 1 : 0));
}

/**
 * The SBOM of a chart or artifact manifest: each layer inventoried by content (see
 * {@link inventoryLayer}), one after the other, in manifest order. The config blob is the
 * artifact's metadata and is not inventoried (as an image's config is not). A chart manifest
 * without a chart layer is a gap. Layer catalogs are not cached: an artifact's tar is read with
 * more catalogers than an image layer, and the cache is keyed by layer digest alone. A chart
 * archive pushed as a generic artifact (not by `helm push`) is read as a tar: a file.
 */
export async function artifactSbom(source: ArtifactSource, m: FetchedManifest & { manifest: ImageManifest }, role: 'chart' | 'artifact', opts: ArtifactSbomOptions = {}, platform?: string): Promise<ImageSbom> {
  const outcomes: LayerOutcome[] = [];
  const stage = startStage(opts.progress, 'sbom', `cataloging ${role} ${platform ? `${platform} ` : ''}${m.digest}`, { total: m.manifest.layers.length, unit: m.manifest.layers.length === 1 ? 'layer' : 'layers' });
  for (const layer of m.manifest.layers) {
    outcomes.push(await inventoryLayer(source, layer, role, opts, (line) => stage.advance({ note: line })));
    stage.advance({ done: 1 });
  }
  stage.finish();
  const catalogs = outcomes.map((o) => o.catalog).filter((c): c is LayerCatalog => c !== undefined);
  const layerGaps = outcomes.map((o) => o.gap).filter((g): g is InventoryGap => g !== undefined);
  if (role === 'chart' && !m.manifest.layers.some((l) => HELM_CHART_LAYER_TYPES.has(l.mediaType))) {
    layerGaps.unshift({ kind: 'layer-skipped', message: `the chart manifest ${m.digest} has no chart archive layer (${HelmMediaType.chartContent}): the chart was not inventoried` });
  }
  const warnings: CatalogWarning[] = [];
  for (const c of catalogs) warnings.push(...c.warnings.map((w) => warning(w.path, `${w.message} (layer ${c.digest})`, w.impact)));
  const kind: SbomKind = role;
  return {
    kind,
    manifestDigest: m.digest,
    manifestMediaType: m.mediaType,
    configDigest: m.manifest.config.digest,
    ...(platform ? { platform } : {}),
    components: componentsOf(catalogs),
    warnings,
    gaps: capGaps([...layerGaps, ...catalogGaps(catalogs, (digest) => `layer ${digest}`)]),
    layers: outcomes.map((o) => o.report),
  };
}

