/**
 * The container images a Helm chart deploys, read at the gate from the chart archive of the exact
 * digest whose signature was verified (not from an attestation, which a policy may not require):
 * the same render-free inventory the SBOM step records (catalogers/helm).
 */
import { HELM_CHART_LAYER_TYPES } from '../oci/artifact-media-types';
import type { FetchedManifest } from '../oci/manifest';
import type { ArtifactSource } from '../oci/source';
import { helmCataloger, inventoryChartArchive } from '../sbom/catalogers/helm';

export interface ChartImage {
  /** `REGISTRY/REPOSITORY` as the runtime resolves it (`docker.io/library/nginx`). */
  readonly name: string;
  readonly digest?: string;
  readonly tag?: string;
  /** Where the chart names it (`app/values.yaml#image`). */
  readonly foundAt: string;
}

export interface ChartImages {
  readonly images: readonly ChartImage[];
  /**
   * Why the list may be incomplete (an unreadable archive, a template image that could not be
   * resolved, a dependency that is not vendored): the gate cannot vouch for what it cannot see.
   */
  readonly problems: readonly string[];
}

/** The images of a chart manifest (the chart archive layer, read within the cataloger's size cap). */
export async function chartImagesOf(source: ArtifactSource, chart: FetchedManifest): Promise<ChartImages> {
  if (chart.manifest.kind !== 'manifest') return { images: [], problems: [`${chart.digest} is an index, not a chart`] };
  const layers = chart.manifest.layers.filter((l) => HELM_CHART_LAYER_TYPES.has(l.mediaType));
  const [layer] = layers;
  if (!layer || layers.length > 1) return { images: [], problems: [`the chart manifest has ${layers.length} chart archive layers (expected one)`] };
  if (layer.size > helmCataloger.maxFileSize) return { images: [], problems: [`the chart archive (${layer.size} bytes) is over the ${helmCataloger.maxFileSize}-byte limit: its images were not read`] };
  const inventory = await inventoryChartArchive('chart.tgz', await source.readBlob(layer, helmCataloger.maxFileSize));
  const images = new Map<string, ChartImage>();
  for (const [path, packages] of inventory.entries) {
    for (const p of packages) {
      if (p.ecosystem !== 'oci') continue;
      const digest = p.metadata?.digest;
      const tag = p.metadata?.tag;
      const key = `${p.name}@${digest ?? `:${tag ?? ''}`}`;
      if (!images.has(key)) images.set(key, { name: p.name, ...(digest ? { digest } : {}), ...(tag ? { tag } : {}), foundAt: path });
    }
  }
  // A warning that may hide a chart or an image leaves the list unproven; metadata-only ones do not.
  const problems = inventory.warnings.filter((w) => w.impact !== 'metadata').map((w) => `${w.path}: ${w.message}`);
  return { images: [...images.values()], problems };
}

export function imageReference(image: ChartImage): string {
  return image.digest ? `${image.name}@${image.digest}` : `${image.name}:${image.tag ?? 'latest'}`;
}
