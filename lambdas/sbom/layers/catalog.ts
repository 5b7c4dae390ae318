import type { OsRelease } from '../os-release';
import type { CatalogedPackage, CatalogWarning, LicenseFact } from '../cataloger';

/** Bump when cataloger output or this shape changes: cached layer catalogs of other versions are ignored. */
export const LAYER_CATALOG_VERSION = 3;

/** What one wanted file yielded. */
export interface FileResult {
  readonly cataloger: string;
  readonly packages: readonly CatalogedPackage[];
  readonly licenseFacts?: readonly LicenseFact[];
  readonly osRelease?: OsRelease;
}

export interface LinkRecord {
  readonly type: 'symlink' | 'hardlink';
  /** Symlinks: the target as written; hard links: the root-relative path linked to. */
  readonly target: string;
}

/**
 * Everything the SBOM needs from one layer, independent of the layers around it, so it can be
 * cached by layer digest and merged with the overlay rules later.
 */
export interface LayerCatalog {
  readonly version: number;
  readonly digest: string;
  /** Root-relative path (no leading `/`) → what its cataloger found. */
  readonly files: Readonly<Record<string, FileResult>>;
  readonly links: Readonly<Record<string, LinkRecord>>;
  /** Paths this layer deletes from the layers below (`.wh.NAME`). */
  readonly whiteouts: readonly string[];
  /** Directories whose lower-layer content this layer hides (`.wh..wh..opq`). */
  readonly opaqueDirs: readonly string[];
  readonly warnings: readonly CatalogWarning[];
  readonly entries: number;
  readonly bytes: number;
}
