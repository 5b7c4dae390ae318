import { PackageURL } from 'packageurl-js';
import type { CatalogedPackage, PurlContext } from '../../cataloger';
import { distroQualifier, osNamespace } from '../common/distro';

/**
 * `pkg:deb/<os id>/<name>@<version>?arch=<arch>&distro=<id>-<VERSION_ID>&upstream=<source>`,
 * as Syft writes it. The namespace is the os-release `ID` (`debian`, `ubuntu`), `debian` when
 * unknown; the version keeps its epoch (`1:1.2.13.dfsg-1`); `upstream` is the source package,
 * `<source>@<sourceVersion>` when the source version differs (binNMUs such as `bash` 5.2.15-2+b8);
 * `distro` is omitted when the OS is unknown. Qualifiers are sorted by key, per the purl spec.
 */
export function dpkgPurl(pkg: CatalogedPackage, ctx: PurlContext): string {
  const qualifiers: Record<string, string> = {};
  if (pkg.arch) qualifiers.arch = pkg.arch;
  const distro = distroQualifier(ctx);
  if (distro) qualifiers.distro = distro;
  if (pkg.sourceName) {
    qualifiers.upstream = pkg.sourceVersion ? `${pkg.sourceName}@${pkg.sourceVersion}` : pkg.sourceName;
  }
  return new PackageURL('deb', osNamespace(ctx, 'debian'), pkg.name, pkg.version, qualifiers, undefined).toString();
}
