/**
 * A small, strict HTML reader for tests of pages we generate ourselves and of the DOM headless
 * Chromium serializes from them (no HTML parser is among the dependencies): tags must nest
 * properly, attributes are quoted, entities are the five we escape. It gives a tree, elements by
 * id and their text.
 */
export interface HtmlElement {
  readonly tag: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: (HtmlElement | string)[];
}

const VOID = new Set(['meta', 'br', 'img', 'hr', 'input', 'link']);
const ENTITIES: Readonly<Record<string, string>> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
const decode = (s: string) => s.replace(/&(amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e] as string);

export function parseHtml(html: string): HtmlElement {
  const root: HtmlElement = { tag: '#document', attributes: {}, children: [] };
  const stack: HtmlElement[] = [root];
  const token = /<!doctype html>|<\/([a-z0-9]+)\s*>|<([a-z0-9]+)((?:\s+[a-z-]+(?:="[^"]*")?)*)\s*\/?>|([^<]+)/giy;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < html.length && (m = token.exec(html)) !== null) {
    at = token.lastIndex;
    const top = stack[stack.length - 1] as HtmlElement;
    if (m[1]) {
      const closing = m[1].toLowerCase();
      if (top.tag !== closing) throw new Error(`</${closing}> closes <${top.tag}> at ${m.index}`);
      stack.pop();
    } else if (m[2]) {
      const attributes: Record<string, string> = {};
      for (const a of (m[3] ?? '').matchAll(/([a-z-]+)(?:="([^"]*)")?/gi)) attributes[(a[1] as string).toLowerCase()] = decode(a[2] ?? '');
      const el: HtmlElement = { tag: m[2].toLowerCase(), attributes, children: [] };
      top.children.push(el);
      if (!VOID.has(el.tag)) stack.push(el);
    } else if (m[4]) {
      if (/&(?!(amp|lt|gt|quot|#39);)/.test(m[4])) throw new Error(`unescaped & in text at ${m.index}`);
      top.children.push(decode(m[4]));
    }
  }
  if (at !== html.length) throw new Error(`cannot read the HTML at ${at}: ${html.slice(at, at + 40)}`);
  if (stack.length !== 1) throw new Error(`unclosed <${(stack[stack.length - 1] as HtmlElement).tag}>`);
  return root;
}

export function elements(root: HtmlElement): HtmlElement[] {
  return root.children.flatMap((c) => (typeof c === 'string' ? [] : [c, ...elements(c)]));
}

export function byId(root: HtmlElement, id: string): HtmlElement | undefined {
  return elements(root).find((e) => e.attributes.id === id);
}

export function textOf(el: HtmlElement): string {
  return el.children.map((c) => (typeof c === 'string' ? c : textOf(c))).join('');
}
