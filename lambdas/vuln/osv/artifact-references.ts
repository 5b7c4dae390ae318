/**
 * Components that are not packages for OSV to speak about, and are not gaps either: a Helm chart's
 * SBOM lists the chart and its dependencies (`pkg:helm`) and the container images it deploys
 * (`pkg:oci`). Such a component is reported as not scanned, with why, but it does not make the
 * verdict `incomplete`:
 * - `pkg:oci`: another artifact. Its content is not in this SBOM; it is inventoried, scanned,
 *   signed and verified as an artifact of its own, and the deploy gate checks it by its digest
 *   (an image referenced by tag only is marked `artifact-guard:image:pinned=false` for the gate).
 * - `pkg:helm`: a chart's content is templates and values, fully read (the images it deploys
 *   are listed as `pkg:oci`); no vulnerability database publishes advisories keyed on Helm
 *   charts (OSV has no Helm ecosystem), so there is nothing to look up and nothing missed.
 * Every other component without an OSV ecosystem (`pkg:generic` files included) stays a gap.
 */
import { fastParsePurl } from './purl-parse';
import { ownEntry } from '../../core/own-entry';

const REASONS: Readonly<Record<string, string>> = {
  oci: 'an OCI artifact this one references (pkg:oci): it is scanned and signed as an artifact of its own and checked by the deploy gate, not matched here',
  helm: 'a Helm chart (pkg:helm): its images are listed as pkg:oci references; no vulnerability database covers Helm charts',
};

/** Why a component is a reference rather than a package to match, or undefined. */
export function referenceReason(purl: string | undefined): string | undefined {
  if (!purl) return undefined;
  const type = fastParsePurl(purl)?.type ?? /^pkg:([a-z][a-z0-9.+-]*)\//.exec(purl)?.[1];
  return type ? ownEntry(REASONS, type) : undefined;
}
