import { PackageURL } from 'packageurl-js';
import type { CatalogedPackage, PurlContext } from '../../cataloger';
import { distroQualifier } from '../common/distro';

/** The purl namespace for rpm packages, as Syft picks it: the os-release ID, `redhat` for RHEL, `opensuse` for openSUSE flavours. */
export function rpmNamespace(ctx: PurlContext): string | undefined {
  const id = ctx.os?.id?.trim().toLowerCase();
  if (!id) return undefined;
  if (id === 'rhel' || id === 'hummingbird') return 'redhat';
  if (id.startsWith('opensuse')) return 'opensuse';
  return id;
}

/**
 * `pkg:rpm/<namespace>/<name>@<version>-<release>?arch=…&epoch=N&upstream=<source rpm>&distro=<id>-<VERSION_ID>`,
 * Syft's convention: the epoch is a qualifier (present whenever the header has an EPOCH tag,
 * even 0), never part of the purl version; no namespace and no distro when the OS is unknown.
 */
export function rpmPurl(pkg: CatalogedPackage, ctx: PurlContext): string {
  const m = pkg.metadata ?? {};
  const qualifiers: Record<string, string> = {};
  if (pkg.arch) qualifiers.arch = pkg.arch;
  if (m.epoch !== undefined) qualifiers.epoch = m.epoch;
  if (m.sourceRpm) qualifiers.upstream = m.sourceRpm;
  const distro = distroQualifier(ctx);
  if (distro) qualifiers.distro = distro;
  const version = m.version !== undefined && m.release !== undefined ? `${m.version}-${m.release}` : pkg.version;
  return new PackageURL('rpm', rpmNamespace(ctx), pkg.name, version, qualifiers, undefined).toString();
}
