import { PackageURL } from 'packageurl-js';
import type { CatalogedPackage, PurlContext } from '../../cataloger';
import { distroQualifier, osNamespace } from '../common/distro';

/**
 * `pkg:apk/<os id>/<name>@<version>?arch=<arch>&distro=<id>-<VERSION_ID>&upstream=<origin>`, as
 * Syft writes it. The namespace is the os-release `ID` (`alpine`, `wolfi`, `chainguard`),
 * `alpine` when unknown; `upstream` only when the origin differs from the name; `distro` is
 * omitted when the OS is unknown. packageurl-js lowercases namespace and name, per the apk type.
 */
export function apkPurl(pkg: CatalogedPackage, ctx: PurlContext): string {
  const qualifiers: Record<string, string> = {};
  if (pkg.arch) qualifiers.arch = pkg.arch;
  const distro = distroQualifier(ctx);
  if (distro) qualifiers.distro = distro;
  if (pkg.sourceName && pkg.sourceName !== pkg.name) qualifiers.upstream = pkg.sourceName;
  return new PackageURL('apk', osNamespace(ctx, 'alpine'), pkg.name, pkg.version, qualifiers, undefined).toString();
}
