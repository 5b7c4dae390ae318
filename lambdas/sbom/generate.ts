import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import type { Descriptor, FetchedManifest, ImageManifest } from '../oci/manifest';
import { isForeignLayer, layerCompression } from '../oci/media-types';
import type { ArtifactSource } from '../oci/source';
import { classify } from '../oci/classify';
import type { ArtifactPlan } from '../oci/artifact-plan';
import { planArtifact } from '../oci/artifact-plan';
import { BadInputError } from '../core/errors';
import type { Progress } from '../ports/progress';
import { startStage } from '../ports/progress';
import { buildComponents, osIdentity } from './build-components';
import { catalogers as allCatalogers } from './catalogers';
import type { ImageSbom, InventoryGap, LayerReport, SbomResult } from './component';
import type { DecompressionLimits } from './decompress';
import type { LayerCache } from './layers/cache';
import type { LayerCatalog } from './layers/catalog';
import { scanDirectory } from './dir-scanner';
import { absentForeignLayerGap, capGaps, catalogGaps, unknownLayerGap } from './inventory-gaps';
import { scanLayer } from './layers/scan-layer';
import { mergeLayers } from './overlay';
import { artifactSbom } from './artifact/artifact-sbom';
import type { Cataloger, CatalogWarning } from './cataloger';

export interface SbomOptions {
  readonly catalogers?: readonly Cataloger[];
  readonly cache?: LayerCache;
  readonly limits?: DecompressionLimits;
  /** Layers read at once. @default 3 */
  readonly concurrency?: number;
  /** Where progress goes (the CLI renders it on stderr): a stage per image, a note per layer read. */
  readonly progress?: Progress;
}

/** The blob as it streams, with every chunk's size reported (compressed bytes, as layer sizes are). */
function counted(blob: Readable, onBytes: (n: number) => void): Readable {
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      onBytes(chunk.length);
      done(null, chunk);
    },
  });
  blob.on('error', (err) => counter.destroy(err));
  // The reader gave up (a limit, an error downstream): stop the download too.
  counter.on('close', () => {
    if (!blob.destroyed) blob.destroy();
  });
  return blob.pipe(counter);
}

/** Catalogs one image manifest's layers (from the cache when possible) and merges them. */
export async function imageSbom(source: ArtifactSource, m: FetchedManifest & { manifest: ImageManifest }, opts: SbomOptions, platform?: string): Promise<ImageSbom> {
  const catalogers = opts.catalogers ?? allCatalogers;
  const reports: (LayerReport | undefined)[] = [];
  const warnings: CatalogWarning[] = [];
  const catalogs: (LayerCatalog | undefined)[] = [];
  const layerGaps: (InventoryGap | undefined)[] = [];
  // What needs no reading first (not a filesystem, a foreign layer not served, a cached catalog),
  // so that progress counts only the layers and bytes actually read.
  const toRead: { layer: Descriptor; i: number; compression: NonNullable<ReturnType<typeof layerCompression>> }[] = [];
  const foreign: (CatalogWarning | undefined)[] = [];
  // A layer listed twice (the same digest at two positions) is read, cached and reported as a gap
  // once; its catalog still takes its place at every position, for the overlay.
  const firstAt = new Map<string, number>();
  m.manifest.layers.forEach((layer, i) => {
    if (!firstAt.has(layer.digest)) firstAt.set(layer.digest, i);
  });
  const isRepeat = (layer: Descriptor, i: number) => firstAt.get(layer.digest) !== i;
  await runLimited(
    m.manifest.layers.map((layer, i) => async (): Promise<void> => {
      if (isRepeat(layer, i)) return;
      const base = { digest: layer.digest, mediaType: layer.mediaType, size: layer.size };
      const compression = layerCompression(layer.mediaType);
      if (!compression) {
        reports[i] = { ...base, status: 'skipped', reason: 'not a filesystem layer' };
        layerGaps[i] = unknownLayerGap(layer);
        return;
      }
      if (isForeignLayer(layer.mediaType) && !(await source.hasBlob(layer))) {
        reports[i] = { ...base, status: 'skipped', reason: `foreign layer not in the registry${layer.urls?.length ? ` (urls: ${layer.urls.join(', ')})` : ''}` };
        foreign[i] = { path: '', message: `foreign layer ${layer.digest} was not fetched: its packages are not in this SBOM` };
        layerGaps[i] = absentForeignLayerGap(layer);
        return;
      }
      const cached = await opts.cache?.get(layer.digest);
      if (cached) {
        catalogs[i] = cached;
        reports[i] = { ...base, status: 'cached', entries: cached.entries };
        return;
      }
      toRead.push({ layer, i, compression });
    }),
    // Cache files and HEAD requests for foreign layers: a few at a time, not one per layer at once.
    8,
  );
  for (const w of foreign) if (w) warnings.push(w);
  toRead.sort((a, b) => a.i - b.i);
  const cachedCount = reports.filter((r) => r?.status === 'cached').length;
  const stage = startStage(opts.progress, 'sbom', `cataloging ${platform ? `${platform} ` : ''}${m.digest}${toRead.length === 0 ? ` (${cachedCount ? 'all layers cached' : 'no layers to read'})` : ''}`, {
    ...(toRead.length ? { unit: toRead.length === 1 ? 'layer' : 'layers', total: toRead.length, totalBytes: toRead.reduce((n, r) => n + r.layer.size, 0) } : {}),
  });
  // Decompression runs on libuv's thread pool: reading a few layers at once keeps the cores busy
  // (one inflating, the main thread parsing tar) while memory stays bounded by `concurrency`.
  const jobs = toRead.map(({ layer, i, compression }) => async (): Promise<void> => {
    stage.advance({ note: `reading layer ${layer.digest} (${(layer.size / 1048576).toFixed(1)} MB, ${compression})` });
    const blob = await source.openBlob(layer);
    const catalog = await scanLayer(opts.progress ? counted(blob, (bytes) => stage.advance({ bytes })) : blob, compression, layer.size, layer.digest, { catalogers, limits: opts.limits });
    await opts.cache?.put(catalog);
    catalogs[i] = catalog;
    reports[i] = { digest: layer.digest, mediaType: layer.mediaType, size: layer.size, status: 'scanned', entries: catalog.entries };
    stage.advance({ done: 1 });
  });
  // Largest first: a layer's inflate is sequential, so the biggest one bounds the wall time and
  // must start at once; smaller layers fill the other cores around it.
  const bySize = jobs.map((job, j) => ({ job, size: toRead[j]?.layer.size ?? 0 })).sort((a, b) => b.size - a.size);
  await runLimited(bySize.map((j) => j.job), opts.concurrency ?? 3);
  m.manifest.layers.forEach((layer, i) => {
    const first = firstAt.get(layer.digest) ?? i;
    if (first === i) return;
    catalogs[i] = catalogs[first];
    reports[i] = reports[first];
  });
  const present = catalogs.filter((c): c is LayerCatalog => c !== undefined);
  const fsView = mergeLayers(present);
  const os = osIdentity(fsView);
  const components = buildComponents(fsView, present.map((c) => c.digest), catalogers, os);
  const distinct = present.filter((c, k) => present.findIndex((d) => d.digest === c.digest) === k);
  for (const c of distinct) warnings.push(...c.warnings.map((w) => ({ ...w, message: `${w.message} (layer ${c.digest})` })));
  // Layers not read first (manifest order), then what the read ones could not inventory.
  const skipped = layerGaps.filter((g): g is InventoryGap => g !== undefined);
  const gaps = capGaps([...skipped, ...catalogGaps(distinct, (digest) => `layer ${digest}`)]);
  stage.finish(`${components.length} component${components.length === 1 ? '' : 's'}${cachedCount ? `, ${cachedCount} cached layer${cachedCount === 1 ? '' : 's'}` : ''}`);
  return {
    manifestDigest: m.digest,
    manifestMediaType: m.mediaType,
    configDigest: m.manifest.config.digest,
    ...(platform ? { platform } : {}),
    ...(os ? { os } : {}),
    components,
    warnings,
    gaps,
    layers: reports.filter((r): r is LayerReport => r !== undefined),
  };
}

/** Runs async jobs with at most `limit` in flight; the first failure stops new ones and is thrown. */
async function runLimited(jobs: readonly (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < jobs.length) {
      const job = jobs[next++] as () => Promise<void>;
      try {
        await job();
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, jobs.length)) }, worker));
}

/**
 * The SBOM(s) of an artifact: one per inventoried manifest of its plan: each image (the image
 * itself, or each platform of an index, nested indexes included), Helm chart and other artifact
 * (sbom/artifact/: its layers inventoried by content). BuildKit attestation manifests are not
 * inventoried; manifests whose content cannot be read at all (every layer encrypted) are listed
 * in `uninventoried`, so that nobody mistakes their absence for an empty inventory.
 */
export async function generateSbom(source: ArtifactSource, name: string, opts: SbomOptions = {}, plan?: Pick<ArtifactPlan, 'root' | 'targets'>): Promise<SbomResult> {
  const { root, targets } = plan ?? (await planArtifact(source));
  const kind = classify(root.manifest);
  const subject = { name, digest: root.digest, mediaType: root.mediaType, kind, ...(source.tag ? { tag: source.tag } : {}) };
  const images: ImageSbom[] = [];
  for (const t of targets) {
    if (t.role !== 'image' && t.role !== 'chart' && t.role !== 'artifact') continue;
    const m = t.digest === root.digest ? root : await source.manifest(t);
    if (m.manifest.kind !== 'manifest') throw new BadInputError(`${t.digest} was planned as ${t.role === 'image' ? 'an image' : `a ${t.role}`} but is an index`);
    const manifest = m as FetchedManifest & { manifest: ImageManifest };
    if (t.role === 'image') images.push(await imageSbom(source, manifest, opts, t.platform));
    else images.push(await artifactSbom(source, manifest, t.role, { ...(opts.limits ? { limits: opts.limits } : {}), ...(opts.progress ? { progress: opts.progress } : {}) }, t.platform));
  }
  const uninventoried = targets.filter((t) => t.role === 'uninventoried').map((t) => ({ digest: t.digest, ...(t.platform ? { platform: t.platform } : {}), reason: t.note ?? 'its content cannot be read' }));
  return { subject, images, uninventoried };
}

/** A directory's SBOM (`dir:` source): one pseudo-layer, same catalogers and rules. */
export async function generateDirSbom(root: string, opts: SbomOptions = {}): Promise<SbomResult> {
  const catalogers = opts.catalogers ?? allCatalogers;
  const stage = startStage(opts.progress, 'sbom', `cataloging directory ${root}`);
  const catalog = await scanDirectory(root, catalogers);
  const fsView = mergeLayers([catalog]);
  const os = osIdentity(fsView);
  const image: ImageSbom = {
    manifestDigest: catalog.digest,
    manifestMediaType: 'inode/directory',
    ...(os ? { os } : {}),
    components: buildComponents(fsView, [catalog.digest], catalogers, os),
    warnings: [...catalog.warnings],
    gaps: capGaps(catalogGaps([catalog], () => undefined)),
    layers: [{ digest: catalog.digest, mediaType: 'inode/directory', size: catalog.bytes, status: 'scanned', entries: catalog.entries }],
  };
  stage.finish(`${image.components.length} component${image.components.length === 1 ? '' : 's'} from ${catalog.entries} entries`);
  return { subject: { name: root, digest: catalog.digest, mediaType: 'inode/directory', kind: 'directory' }, images: [image], uninventoried: [] };
}
