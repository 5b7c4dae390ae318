import { fitList, truncate } from '../../core/text-cells';
import type { Component, ImageSbom, SbomSubject } from '../component';
import { spdxLicense } from './spdx-license';

/** The name as the ecosystem writes it: `@scope/name` (npm), `group:artifact` (Maven), `vendor/name` (Composer). */
function displayName(c: Component): string {
  if (!c.namespace) return c.name;
  if (c.ecosystem === 'npm') return `@${c.namespace}/${c.name}`;
  if (c.ecosystem === 'java') return `${c.namespace}:${c.name}`;
  if (c.ecosystem === 'php') return `${c.namespace}/${c.name}`;
  return c.name;
}

/** Column widths that keep a row within 120 characters (two spaces between columns). */
const WIDTHS = [46, 30, 10, 26] as const;

/**
 * A readable table: one line per component (name, version, type, licences as SPDX ids where the
 * text maps to one), per image, within 120 columns: long names and versions end in `…`, long
 * licence lists in `+N`.
 */
export function sbomTable(subject: SbomSubject, images: readonly ImageSbom[]): string {
  const lines: string[] = [];
  for (const image of images) {
    lines.push(`${subject.name}@${image.manifestDigest}${image.platform ? ` (${image.platform})` : ''}${image.os ? `  ${image.os.prettyName ?? image.os.id}` : ''}`);
    const rows = image.components.map((c) => [
      truncate(displayName(c), WIDTHS[0]),
      truncate(c.version, WIDTHS[1]),
      truncate(c.ecosystem, WIDTHS[2]),
      fitList(c.licenses.map((l) => spdxLicense(l) ?? l), WIDTHS[3]),
    ]);
    const header = ['NAME', 'VERSION', 'TYPE', 'LICENSES'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const fmt = (r: string[]): string => r.map((cell, i) => (i < r.length - 1 ? cell.padEnd(widths[i] as number) : cell)).join('  ').trimEnd();
    lines.push(fmt(header), ...rows.map(fmt), `${rows.length} component(s)`);
    if (image.gaps.length) lines.push('incomplete inventory: this SBOM does not cover', ...image.gaps.map((g) => `  ${g.message}`));
    lines.push('');
  }
  if (images.length === 0) lines.push(`${subject.name}@${subject.digest}: a ${subject.kind}, no filesystem to catalog`);
  return `${lines.join('\n').trimEnd()}\n`;
}
