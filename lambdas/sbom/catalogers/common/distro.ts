import type { PurlContext } from '../../cataloger';

/**
 * The purl `distro` qualifier as Syft writes it: `<ID>-<VERSION_ID>` (`debian-12`,
 * `alpine-3.19.1`), or just `<ID>` when os-release has no VERSION_ID (Debian testing/sid).
 * Undefined when the image's OS is unknown, so callers omit the qualifier.
 */
export function distroQualifier(ctx: PurlContext): string | undefined {
  const id = ctx.os?.id?.trim().toLowerCase();
  if (!id) return undefined;
  const versionId = ctx.os?.versionId?.trim();
  return versionId ? `${id}-${versionId}` : id;
}

/** The OS id to use as purl namespace for OS packages, or `fallback` when the OS is unknown. */
export function osNamespace(ctx: PurlContext, fallback: string): string {
  const id = ctx.os?.id?.trim().toLowerCase();
  return id ? id : fallback;
}
