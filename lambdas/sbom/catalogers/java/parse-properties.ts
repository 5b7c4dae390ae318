/**
 * Java `.properties` text (pom.properties): `key=value`, `key: value` or `key value`, `#`/`!`
 * comments, backslash escapes (`\t`, `\n`, `\uXXXX`, `\=`...) and lines continued by an odd
 * number of trailing backslashes. The first value of a key wins. Linear in the input.
 */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  // One iterator, which the loop and the continuation lines both advance.
  const lines = text.split(/\r\n|\r|\n/).values();
  for (const first of lines) {
    let line = first.replace(/^[ \t\f]+/, '');
    if (!line || line[0] === '#' || line[0] === '!') continue;
    const parts: string[] = [];
    // Join continuation lines: an odd count of trailing backslashes continues the logical line.
    for (;;) {
      let slashes = 0;
      for (let j = line.length - 1; j >= 0 && line[j] === '\\'; j--) slashes++;
      if (slashes % 2 === 0) {
        parts.push(line);
        break;
      }
      parts.push(line.slice(0, -1));
      const next = lines.next();
      if (next.done) break; // a continuation at the end of the text continues nothing
      line = next.value.replace(/^[ \t\f]+/, '');
    }
    const logical = parts.join('');
    // The key ends at the first unescaped '=', ':' or whitespace.
    let k = 0;
    while (k < logical.length) {
      const c = logical[k];
      if (c === '\\') k += 2;
      else if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') break;
      else k++;
    }
    const key = unescape(logical.slice(0, Math.min(k, logical.length)));
    let v = k;
    while (v < logical.length && (logical[v] === ' ' || logical[v] === '\t' || logical[v] === '\f')) v++;
    if (v < logical.length && (logical[v] === '=' || logical[v] === ':')) v++;
    while (v < logical.length && (logical[v] === ' ' || logical[v] === '\t' || logical[v] === '\f')) v++;
    if (!out.has(key)) out.set(key, unescape(logical.slice(v)));
  }
  return out;
}

function unescape(s: string): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charAt(i);
    if (c !== '\\' || i + 1 >= s.length) {
      if (c !== '\\') out += c;
      continue;
    }
    const e = s.charAt(++i);
    if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(i + 1, i + 5))) {
      out += String.fromCharCode(parseInt(s.slice(i + 1, i + 5), 16));
      i += 4;
    } else out += e === 't' ? '\t' : e === 'n' ? '\n' : e === 'r' ? '\r' : e === 'f' ? '\f' : e;
  }
  return out;
}

/**
 * The main section of a JAR manifest (until the first empty line): `Name: value` headers,
 * continuation lines starting with one space appended without it. Names are matched
 * case-insensitively (stored lower-cased); the first occurrence wins.
 */
export function parseManifest(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let key: string | undefined;
  let value = '';
  const flush = (): void => {
    if (key !== undefined && !out.has(key)) out.set(key, value.trim());
    key = undefined;
  };
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === '') break;
    if (line[0] === ' ') {
      if (key !== undefined) value += line.slice(1);
      continue;
    }
    flush();
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    key = line.slice(0, colon).trim().toLowerCase();
    value = line.slice(colon + 1).replace(/^ /, '');
  }
  flush();
  return out;
}
