/** Fitting text into table cells: widths in characters, cuts marked with `…`, lists with `+N`. */

export const textWidth = (s: string): number => {
  let n = 0;
  for (const _ of s) n += 1;
  return n;
};

/** `s` cut to `width` columns, the last one `…` when anything was cut. */
export function truncate(s: string, width: number): string {
  if (textWidth(s) <= width) return s;
  if (width <= 0) return '';
  return `${[...s].slice(0, width - 1).join('')}…`;
}

/**
 * A list in `width` columns: as many items as fit, `, `-separated, then ` +N` for the rest; the
 * first item is cut with `…` when not even it fits beside its `+N`.
 */
export function fitList(items: readonly string[], width: number): string {
  const all = items.join(', ');
  if (textWidth(all) <= width) return all;
  for (let k = items.length - 1; k >= 1; k--) {
    const text = `${items.slice(0, k).join(', ')} +${items.length - k}`;
    if (textWidth(text) <= width) return text;
  }
  const more = items.length > 1 ? ` +${items.length - 1}` : '';
  return `${truncate(items[0] ?? '', width - more.length)}${more}`;
}

/**
 * Word-wraps `text` to `width` columns; lines after the first start with `indent`. A word longer
 * than a line (a path, a purl) is split across lines rather than cut: nothing is lost.
 */
export function wrap(text: string, width: number, indent = ''): string[] {
  const lines: string[] = [];
  // The text's own leading spaces (a list item's indent) stay on its first line.
  const lead = /^ */.exec(text)?.[0] ?? '';
  let line = lead;
  const room = (): number => width - textWidth(line);
  const push = (): void => {
    lines.push(line.trimEnd());
    line = indent;
  };
  for (const word of text.slice(lead.length).split(/ +/)) {
    const sep = line.trim() === '' ? '' : ' ';
    if (textWidth(sep + word) <= room()) {
      line += sep + word;
      continue;
    }
    if (line.trim() !== '') push();
    let rest = [...word];
    while (rest.length > room()) {
      const n = Math.max(1, room());
      line += rest.slice(0, n).join('');
      rest = rest.slice(n);
      push();
    }
    line += rest.join('');
  }
  if (line.trim() !== '' || !lines.length) lines.push(line.trimEnd());
  return lines;
}
