/**
 * Media types and annotations of OCI artifacts that are not container images: Helm charts as
 * `helm push` writes them (helm/helm pkg/registry/constants.go), files pushed with ORAS.
 */
export const HelmMediaType = {
  config: 'application/vnd.cncf.helm.config.v1+json',
  chartContent: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
  /** What Helm before 3.7 wrote for the chart layer (LegacyChartLayerMediaType). */
  chartContentLegacy: 'application/tar+gzip',
  /** The chart's `.prov` file: a PGP-signed statement about the chart archive, not content. */
  provenance: 'application/vnd.cncf.helm.chart.provenance.v1.prov',
} as const;

/** The layer types a chart archive may come in. */
export const HELM_CHART_LAYER_TYPES: ReadonlySet<string> = new Set([HelmMediaType.chartContent, HelmMediaType.chartContentLegacy]);

/** Annotation naming the file a layer holds (image-spec annotations.md; `oras push` writes it). */
export const TITLE_ANNOTATION = 'org.opencontainers.image.title';

/** ORAS marks a layer holding a directory (a tar+gzip of it) with this annotation. */
export const ORAS_UNPACK_ANNOTATION = 'io.deis.oras.content.unpack';

/** Layers encrypted with ocicrypt (`…+encrypted`): their content cannot be read without the key. */
export function isEncryptedLayer(mediaType: string): boolean {
  return mediaType.endsWith('+encrypted');
}
