import { PackageURL } from 'packageurl-js';
import type { CatalogedPackage } from '../../cataloger';

/**
 * `pkg:golang/<namespace>/<name>@<version>` with the module path split at its last `/` (Syft's
 * convention: `github.com/spf13/cobra` → namespace `github.com/spf13`, name `cobra`; a path
 * without `/` has no namespace), and `pkg:golang/stdlib@1.22.5` for the toolchain. The version
 * is omitted when unknown (a main module built as `(devel)`, a directory replacement).
 */
export function goPurl(pkg: CatalogedPackage): string {
  const slash = pkg.name.lastIndexOf('/');
  const namespace = slash > 0 ? pkg.name.slice(0, slash) : undefined;
  const name = slash > 0 ? pkg.name.slice(slash + 1) : pkg.name;
  return new PackageURL('golang', namespace, name, pkg.version || undefined, undefined, undefined).toString();
}
