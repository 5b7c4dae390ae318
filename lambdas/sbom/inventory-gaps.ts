import type { Descriptor } from '../oci/manifest';
import type { InventoryGap } from './component';
import type { LayerCatalog } from './layers/catalog';
import type { CatalogWarning } from './cataloger';

/** Gaps kept per SBOM; past it one more entry says how many were left out. */
export const MAX_GAPS = 100;

/**
 * The collector's warning for a file over a cataloger's size cap. Gaps tell these apart by
 * their text (`FILE_TOO_LARGE`): both live here, and the layer-cache version pins the wording.
 */
export function fileTooLarge(size: number, max: number, reader: string): string {
  return `${size} bytes, more than the ${max} read for ${reader}; skipped`;
}
const FILE_TOO_LARGE = /^\d+ bytes, more than the \d+ read for [^;]+; skipped$/;

/** A manifest layer that is not a filesystem layer this engine reads. */
export function unknownLayerGap(layer: Pick<Descriptor, 'digest' | 'mediaType'>): InventoryGap {
  return {
    kind: 'layer-skipped',
    message: `layer ${layer.digest} has media type ${layer.mediaType}, not a filesystem layer: its content was not inventoried`,
    layer: layer.digest,
  };
}

/** A foreign (non-distributable) layer the registry does not hold, so it could not be read. */
export function absentForeignLayerGap(layer: Pick<Descriptor, 'digest' | 'mediaType' | 'urls'>): InventoryGap {
  const urls = layer.urls?.length ? ` (urls: ${layer.urls.join(', ')})` : '';
  return {
    kind: 'layer-skipped',
    message: `foreign layer ${layer.digest} (${layer.mediaType}) is not in the registry${urls}: its content was not inventoried`,
    layer: layer.digest,
  };
}

/**
 * The gap a warning stands for, or undefined when its impact is `metadata`. `label` names the
 * layer in messages (`layer sha256:…`); a directory SBOM has none.
 */
export function warningGap(w: CatalogWarning, layer: string, label: string | undefined): InventoryGap | undefined {
  if (w.impact === 'metadata') return undefined;
  const where = [label, w.path].filter(Boolean).join(': ');
  const prefix = where ? `${where}: ` : '';
  const at = { layer, ...(w.path ? { path: w.path } : {}) };
  if (FILE_TOO_LARGE.test(w.message)) {
    return { kind: 'file-skipped', message: `${where} was not inventoried (${w.message.replace(/; skipped$/, '')})`, ...at };
  }
  return { kind: 'catalog-warning', message: `${prefix}${w.message} (packages may be missing)`, ...at };
}

/** Every inventory warning of these catalogs as a gap, in order. */
export function catalogGaps(catalogs: readonly LayerCatalog[], label: (digest: string) => string | undefined): InventoryGap[] {
  const gaps: InventoryGap[] = [];
  for (const c of catalogs) {
    for (const w of c.warnings) {
      const gap = warningGap(w, c.digest, label(c.digest));
      if (gap) gaps.push(gap);
    }
  }
  return gaps;
}

/**
 * At most {@link MAX_GAPS} gaps, then one entry saying how many more there were. Layer gaps come
 * first in the input, so they are the last to be cut. The summary is a `catalog-warning`: it is
 * no one layer or file.
 */
export function capGaps(gaps: readonly InventoryGap[]): InventoryGap[] {
  if (gaps.length <= MAX_GAPS) return gaps.slice();
  const more = gaps.length - MAX_GAPS;
  return [...gaps.slice(0, MAX_GAPS), { kind: 'catalog-warning', message: `${more} more gap${more === 1 ? '' : 's'} not listed` }];
}
