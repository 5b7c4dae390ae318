import type { OsRelease } from './os-release';
import type { CatalogWarning, ComponentHash, ComponentType } from './cataloger';

/** A package in the final image, ready for an SBOM writer. */
export interface Component {
  /** Unique within the SBOM: the purl (identical purls are merged into one component). */
  readonly bomRef: string;
  readonly purl: string;
  readonly ecosystem: string;
  readonly name: string;
  readonly namespace?: string;
  readonly version: string;
  readonly arch?: string;
  readonly licenses: readonly string[];
  /** Every path the package was found at, with the layer holding that file. */
  readonly locations: readonly { readonly path: string; readonly layer: string }[];
  /** The layer that introduced the package (the lowest one it was continuously present in). */
  readonly introducedBy: string;
  readonly metadata?: Readonly<Record<string, string>>;
  /** Absent: `library`. See {@link CatalogedPackage.componentType}. */
  readonly componentType?: ComponentType;
  readonly hashes?: readonly ComponentHash[];
  /** Published as CycloneDX properties `artifact-guard:<key>` (see {@link CatalogedPackage.properties}). */
  readonly properties?: Readonly<Record<string, string>>;
}

export interface LayerReport {
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
  readonly status: 'scanned' | 'cached' | 'skipped';
  readonly reason?: string;
  readonly entries?: number;
}

/**
 * Content the SBOM did not inventory: a layer not read, a file skipped, or a warning that may
 * hide packages or versions (impact `inventory`). An SBOM without gaps is the whole inventory.
 */
export interface InventoryGap {
  readonly kind: 'layer-skipped' | 'file-skipped' | 'catalog-warning';
  /** One line for people: what was not inventoried and why (names the layer digest and path). */
  readonly message: string;
  readonly layer?: string;
  /** The path as cataloged (root-relative, no leading `/`). */
  readonly path?: string;
}

/**
 * What an SBOM describes: a container image (its layers are a filesystem), a Helm chart, another
 * OCI artifact (its layers are files), or a directory on disk.
 */
export type SbomKind = 'image' | 'chart' | 'artifact' | 'directory';

/** The SBOM of one manifest: an image (one platform of an index), a Helm chart or another artifact. */
export interface ImageSbom {
  /** Absent: `image`. */
  readonly kind?: SbomKind;
  readonly manifestDigest: string;
  readonly manifestMediaType: string;
  readonly configDigest?: string;
  readonly platform?: string;
  readonly os?: OsRelease;
  readonly components: readonly Component[];
  /** Every warning, whatever its impact. */
  readonly warnings: readonly CatalogWarning[];
  /** What was not inventoried (at most 100 entries and one saying how many more): empty means complete. */
  readonly gaps: readonly InventoryGap[];
  readonly layers: readonly LayerReport[];
}

export interface SbomSubject {
  /** `HOST/REPO`, `localhost/<layout>` or the source as given. */
  readonly name: string;
  readonly digest: string;
  readonly mediaType: string;
  readonly kind: string;
  readonly tag?: string;
}

/** A manifest of the artifact whose content could not be read at all (every layer encrypted). */
export interface UninventoriedManifest {
  readonly digest: string;
  readonly platform?: string;
  readonly reason: string;
}

export interface SbomResult {
  readonly subject: SbomSubject;
  readonly images: readonly ImageSbom[];
  /** Manifests of the artifact with no SBOM: a verdict over the artifact cannot pass while this is non-empty. */
  readonly uninventoried: readonly UninventoriedManifest[];
}
