import { createHash } from 'node:crypto';
import type { StoredDocument } from '../../ports/write-once';
import { sha256Hex, writeOnce } from '../../ports/write-once';
import { evidencePrefix } from '../evidence-keys';
import type { SourceSpec } from '../../oci/open-source';
import type { ArtifactSource } from '../../oci/source';
import type { BlobStore } from '../../ports/blob-store';
import type { MetricsSink } from '../../ports/metrics';
import type { Progress } from '../../ports/progress';
import { catalogers } from '../../sbom/catalogers';
import type { ImageSbom } from '../../sbom/component';
import { generateSbom } from '../../sbom/generate';
import type { LayerCache } from '../../sbom/layers/cache';
import { cycloneDxJson } from '../../sbom/writers/cyclonedx';
import { spdxJson } from '../../sbom/writers/spdx';
import type { SbomSummary, WorkflowState } from '../state';
import { MetricName } from '../../core/metric-names';
import { openPinned } from './pinned-source';

export interface SbomDeps {
  readonly openSource: (spec: SourceSpec) => Promise<ArtifactSource>;
  readonly evidence: BlobStore;
  readonly cache: LayerCache;
  readonly metrics: MetricsSink;
  readonly now: () => Date;
  /** Layer reading as it goes (the CLI's display in local runs). */
  readonly progress?: Progress;
}

/** Gap lines carried per document in the state (the SBOM itself lists up to 100). */
export const MAX_GAPS_IN_STATE = 20;

function countByType(image: ImageSbom): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of image.components) out[c.ecosystem] = (out[c.ecosystem] ?? 0) + 1;
  return out;
}

/** Deterministic serial/namespace per manifest: the same SBOM of the same manifest keeps its identity. */
function documentId(repositoryName: string, manifestDigest: string): { serial: string; namespaceId: string } {
  const id = createHash('sha256').update(`${repositoryName}@${manifestDigest}`).digest('hex');
  return { serial: `urn:uuid:${id.slice(0, 8)}-${id.slice(8, 12)}-4${id.slice(13, 16)}-8${id.slice(17, 20)}-${id.slice(20, 32)}`, namespaceId: id.slice(0, 32) };
}

/**
 * SBOM: catalogs exactly the images Resolve planned (the pinned artifact, each platform of an
 * index, nested indexes included), stores CycloneDX 1.6 and SPDX 2.3 documents write-once
 * (their keys carry their hash, so a retry never overwrites) and passes a summary on.
 */
export function createSbomStep(deps: SbomDeps) {
  return async (state: WorkflowState): Promise<SbomSummary> => {
    const a = state.artifact;
    const { source, root } = await openPinned(deps.openSource, a);
    try {
      const result = await generateSbom(source, a.repositoryName, { cache: deps.cache, catalogers, ...(deps.progress ? { progress: deps.progress } : {}) }, { root, targets: a.targets });
      const now = deps.now();
      const prefix = evidencePrefix(a.repositoryName, a.digest);
      const store = (name: string, ext: string, body: string): Promise<StoredDocument> => {
        const bytes = Buffer.from(body);
        return writeOnce(deps.evidence, `${prefix}/sbom/${name}.${sha256Hex(bytes).slice(0, 16)}.${ext}`, bytes, 'application/json');
      };
      const documents: SbomSummary['documents'][number][] = [];
      for (const image of result.images) {
        const name = image.manifestDigest.replace(':', '-');
        const { serial, namespaceId } = documentId(a.repositoryName, image.manifestDigest);
        documents.push({
          manifestDigest: image.manifestDigest,
          ...(image.platform ? { platform: image.platform } : {}),
          components: image.components.length,
          byType: countByType(image),
          warnings: image.warnings.length,
          gaps: image.gaps.length,
          gapLines: image.gaps.slice(0, MAX_GAPS_IN_STATE).map((g) => g.message),
          cyclonedx: await store(name, 'cdx.json', cycloneDxJson(result.subject, image, { timestamp: now, serialNumber: serial })),
          spdx: await store(name, 'spdx.json', spdxJson(result.subject, image, { timestamp: now, namespaceId })),
        });
      }
      if (documents.length) deps.metrics.count(MetricName.sbomGenerated);
      return { documents, components: documents.reduce((n, d) => n + d.components, 0), uninventoried: result.uninventoried };
    } finally {
      await source.close();
    }
  };
}
