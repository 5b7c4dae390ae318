import { createHash } from 'node:crypto';
import type { SourceSpec } from '../../oci/open-source';
import { parseSource } from '../../oci/open-source';
import type { ArtifactSource } from '../../oci/source';
import type { BlobStore } from '../../ports/blob-store';
import type { MetricsSink } from '../../ports/metrics';
import { catalogers } from '../../sbom/catalogers';
import type { ImageSbom } from '../../sbom/component';
import { generateSbom } from '../../sbom/generate';
import type { LayerCache } from '../../sbom/layer-cache';
import { cycloneDxJson } from '../../sbom/writers/cyclonedx';
import { spdxJson } from '../../sbom/writers/spdx';
import type { WorkflowState } from '../state';
import { MetricName } from '../states';

export interface SbomDeps {
  readonly openSource: (spec: SourceSpec) => Promise<ArtifactSource>;
  readonly evidence: BlobStore;
  readonly cache: LayerCache;
  readonly metrics: MetricsSink;
  readonly now: () => Date;
}

export interface StoredDocument {
  readonly key: string;
  readonly location: string;
  readonly sha256: string;
}

/** Output of the SBOM step, at `$.sbom`: small on purpose (state is limited to 256 KB). */
export interface SbomSummary {
  readonly documents: readonly {
    readonly manifestDigest: string;
    readonly platform?: string;
    readonly components: number;
    readonly byType: Readonly<Record<string, number>>;
    readonly warnings: number;
    readonly cyclonedx: StoredDocument;
    readonly spdx: StoredDocument;
  }[];
  readonly components: number;
  readonly skipped?: string;
}

export function evidencePrefix(repositoryName: string, digest: string): string {
  return `evidence/${repositoryName}/${digest.replace(':', '-')}`;
}

function countByType(image: ImageSbom): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of image.components) out[c.ecosystem] = (out[c.ecosystem] ?? 0) + 1;
  return out;
}

/** SBOM: catalogs every platform image, stores CycloneDX 1.6 and SPDX 2.3 documents, passes a summary on. */
export function createSbomStep(deps: SbomDeps) {
  return async (state: WorkflowState): Promise<SbomSummary> => {
    const a = state.artifact;
    if (a.kind !== 'image' && a.kind !== 'index') return { documents: [], components: 0, skipped: `a ${a.kind} has no container filesystem to catalog` };
    const source = await deps.openSource(parseSource(a.source));
    try {
      const result = await generateSbom(source, a.repositoryName, { cache: deps.cache, catalogers });
      const now = deps.now();
      const prefix = evidencePrefix(a.repositoryName, a.digest);
      const store = async (key: string, body: string): Promise<StoredDocument> => {
        const bytes = Buffer.from(body);
        await deps.evidence.put(key, bytes, 'application/json');
        return { key, location: deps.evidence.location(key), sha256: createHash('sha256').update(bytes).digest('hex') };
      };
      const documents: SbomSummary['documents'][number][] = [];
      for (const image of result.images) {
        const name = image.manifestDigest.replace(':', '-');
        // Deterministic serial/namespace per manifest: a retried step writes identical documents.
        const id = createHash('sha256').update(`${a.repositoryName}@${image.manifestDigest}`).digest('hex');
        const serial = `urn:uuid:${id.slice(0, 8)}-${id.slice(8, 12)}-4${id.slice(13, 16)}-8${id.slice(17, 20)}-${id.slice(20, 32)}`;
        documents.push({
          manifestDigest: image.manifestDigest,
          ...(image.platform ? { platform: image.platform } : {}),
          components: image.components.length,
          byType: countByType(image),
          warnings: image.warnings.length,
          cyclonedx: await store(`${prefix}/sbom/${name}.cdx.json`, cycloneDxJson(result.subject, image, { timestamp: now, serialNumber: serial })),
          spdx: await store(`${prefix}/sbom/${name}.spdx.json`, spdxJson(result.subject, image, { timestamp: now, namespaceId: id.slice(0, 32) })),
        });
      }
      deps.metrics.count(MetricName.sbomGenerated);
      return { documents, components: documents.reduce((n, d) => n + d.components, 0) };
    } finally {
      await source.close();
    }
  };
}
