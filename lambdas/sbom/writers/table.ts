import type { ImageSbom, SbomSubject } from '../component';

/** A readable table: one line per component (name, version, type, licences), per image. */
export function sbomTable(subject: SbomSubject, images: readonly ImageSbom[]): string {
  const lines: string[] = [];
  for (const image of images) {
    lines.push(`${subject.name}@${image.manifestDigest}${image.platform ? ` (${image.platform})` : ''}${image.os ? `  ${image.os.prettyName ?? image.os.id}` : ''}`);
    const rows = image.components.map((c) => [c.namespace && c.ecosystem === 'npm' ? `@${c.namespace}/${c.name}` : c.name, c.version, c.ecosystem, c.licenses.join(', ')]);
    const header = ['NAME', 'VERSION', 'TYPE', 'LICENSES'];
    const widths = header.map((h, i) => Math.min(60, Math.max(h.length, ...rows.map((r) => (r[i] as string).length))));
    const fmt = (r: string[]): string => r.map((cell, i) => (i < r.length - 1 ? cell.padEnd(widths[i] as number) : cell)).join('  ').trimEnd();
    lines.push(fmt(header), ...rows.map(fmt), `${rows.length} component(s)`, '');
  }
  if (images.length === 0) lines.push(`${subject.name}@${subject.digest}: a ${subject.kind}, no filesystem to catalog`);
  return `${lines.join('\n').trimEnd()}\n`;
}
