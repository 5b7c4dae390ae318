import { decodeText, splitLines } from '../catalogers/common/text';

/** The image's OS identity from os-release, as purl builders need it (`PurlContext.os`). */
export interface OsRelease {
  /** `ID`, lower-cased (`debian`, `ubuntu`, `alpine`, `wolfi`). */
  readonly id: string;
  /** `VERSION_ID` (`12`, `22.04`, `3.19.1`); absent on rolling releases (Debian sid, Arch). */
  readonly versionId?: string;
  /** `VERSION_CODENAME` (`bookworm`, `jammy`). */
  readonly versionCodename?: string;
  /** `PRETTY_NAME` (`Debian GNU/Linux 12 (bookworm)`, `Distroless`). */
  readonly prettyName?: string;
}

/** Where os-release lives, in lookup order: `etc/os-release` wins over `usr/lib/os-release`. */
export const OS_RELEASE_PATHS: readonly string[] = ['etc/os-release', 'usr/lib/os-release'];

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Unquotes one shell-style value: `"..."` (backslash escapes `\"`, `\\`, `\$`, `` \` ``; other
 * backslashes are kept), `'...'` (literal), bare words (backslash escapes any character), and
 * concatenations of these. An unquoted space ends the value (`ID=debian # comment` is `debian`);
 * an unterminated quote runs to the end of the line. Linear; never throws.
 */
export function unquoteShellValue(raw: string): string {
  let out = '';
  let mode: 'bare' | 'double' | 'single' = 'bare';
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charAt(i);
    if (mode === 'single') {
      if (c === "'") mode = 'bare';
      else out += c;
    } else if (mode === 'double') {
      if (c === '"') mode = 'bare';
      else if (c === '\\' && i + 1 < raw.length && '"\\$`'.includes(raw.charAt(i + 1))) out += raw.charAt(++i);
      else out += c;
    } else if (c === ' ' || c === '\t') {
      break;
    } else if (c === '"') {
      mode = 'double';
    } else if (c === "'") {
      mode = 'single';
    } else if (c === '\\') {
      if (i + 1 < raw.length) out += raw.charAt(++i);
    } else {
      out += c;
    }
  }
  return out;
}

/** All `KEY=value` assignments of an os-release file; later assignments win, as in a shell. */
export function parseOsReleaseFields(content: Buffer): Map<string, string> {
  const fields = new Map<string, string>();
  for (const rawLine of splitLines(decodeText(content))) {
    const line = rawLine.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    if (!KEY.test(key)) continue;
    fields.set(key, unquoteShellValue(line.slice(eq + 1)));
  }
  return fields;
}

/**
 * Parses `etc/os-release` / `usr/lib/os-release` (freedesktop.org format). Returns undefined when
 * the file names no `ID` (the spec's default `linux` identifies nothing useful for purls).
 * Never throws.
 */
export function parseOsRelease(content: Buffer): OsRelease | undefined {
  const fields = parseOsReleaseFields(content);
  const get = (key: string): string | undefined => {
    const value = fields.get(key)?.trim();
    return value ? value.slice(0, 256) : undefined;
  };
  const id = get('ID')?.toLowerCase();
  if (!id) return undefined;
  const versionId = get('VERSION_ID');
  const versionCodename = get('VERSION_CODENAME');
  const prettyName = get('PRETTY_NAME');
  return {
    id,
    ...(versionId ? { versionId } : {}),
    ...(versionCodename ? { versionCodename } : {}),
    ...(prettyName ? { prettyName } : {}),
  };
}
