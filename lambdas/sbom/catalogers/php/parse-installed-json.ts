import type { CatalogedPackage, ParseResult } from '../../cataloger';
import { clip, MAX_FIELD, MAX_METADATA, parseJsonDocument, WarningSink } from '../common/text';

const MAX_PACKAGES = 100_000;

function licensesOf(value: unknown): string[] {
  const list = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
  return list.filter((l): l is string => typeof l === 'string' && l.trim() !== '').map((l) => clip(l.trim(), MAX_FIELD));
}

/**
 * Composer's record of what it installed into `vendor/`: `vendor/composer/installed.json`, a
 * plain array of packages (Composer 1) or `{"packages": […], "dev": …, "dev-package-names": […]}`
 * (Composer 2). One package per entry, named `vendor/name`, at its pretty `version` (`v5.4.3`, as
 * Syft reports it); packages only required for development are kept and marked `dev: true`.
 */
export function parseComposerInstalled(path: string, content: Buffer): ParseResult {
  const warnings = new WarningSink(path);
  const doc = parseJsonDocument(content, warnings);
  if (doc === undefined) return { packages: [], warnings: warnings.list() };
  let list: unknown[];
  let dev = new Set<string>();
  if (Array.isArray(doc)) list = doc;
  else if (doc && typeof doc === 'object' && Array.isArray((doc as { packages?: unknown }).packages)) {
    list = (doc as { packages: unknown[] }).packages;
    const names = (doc as { 'dev-package-names'?: unknown })['dev-package-names'];
    if (Array.isArray(names)) dev = new Set(names.filter((n): n is string => typeof n === 'string'));
  } else {
    warnings.add('neither a Composer 1 package array nor a Composer 2 {"packages": [...]} object');
    return { packages: [], warnings: warnings.list() };
  }
  const packages: CatalogedPackage[] = [];
  for (const [i, raw] of list.slice(0, MAX_PACKAGES).entries()) {
    const p = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
    const full = typeof p.name === 'string' ? p.name.trim() : '';
    const version = typeof p.version === 'string' ? p.version.trim() : '';
    const slash = full.indexOf('/');
    if (slash <= 0 || slash === full.length - 1 || !version) {
      warnings.add(`package ${i} without a "vendor/name" name and a version; skipped`);
      continue;
    }
    const metadata: Record<string, string> = {};
    for (const [key, label] of [
      ['description', 'description'],
      ['homepage', 'homepage'],
      ['type', 'type'],
    ] as const) {
      const v = p[key];
      if (typeof v === 'string' && v) metadata[label] = clip(v, MAX_METADATA);
    }
    const ref = (p.dist as { reference?: unknown } | undefined)?.reference ?? (p.source as { reference?: unknown } | undefined)?.reference;
    if (typeof ref === 'string' && ref) metadata.reference = clip(ref, MAX_FIELD);
    if (dev.has(full)) metadata.dev = 'true';
    packages.push({
      ecosystem: 'php',
      namespace: clip(full.slice(0, slash), MAX_FIELD),
      name: clip(full.slice(slash + 1), MAX_FIELD),
      version: clip(version, MAX_FIELD),
      licenses: licensesOf(p.license),
      ...(Object.keys(metadata).length ? { metadata } : {}),
    });
  }
  if (list.length > MAX_PACKAGES) warnings.add(`more than ${MAX_PACKAGES} packages; the rest were dropped`);
  return { packages, warnings: warnings.list() };
}
