/** Small readers for untrusted JSON reports: one clear error per malformed input, never a crash. */
import { BadInputError } from '../../core/errors';

export type Obj = Readonly<Record<string, unknown>>;
export const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
export const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(str).filter((s): s is string => s !== undefined) : []);

export function parseJsonObject(text: string, origin: string, what: string): Obj {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new BadInputError(`${origin}: ${what} is not JSON (${(err as Error).message.split('\n')[0]})`);
  }
  if (!isObject(doc)) throw new BadInputError(`${origin}: ${what} is not a JSON object`);
  return doc;
}

/** A list field: absent or null is empty, anything but a list is an error (a report cut short must not read as clean). */
export function list(v: unknown, origin: string, where: string): readonly unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new BadInputError(`${origin}: ${where} is not a list`);
  return v;
}

export function object(v: unknown, origin: string, where: string): Obj {
  if (!isObject(v)) throw new BadInputError(`${origin}: ${where} is not an object`);
  return v;
}

export function required(v: unknown, origin: string, where: string): string {
  const s = str(v);
  if (s === undefined) throw new BadInputError(`${origin}: ${where} is missing`);
  return s;
}

/** `sha256:<64 hex>` found anywhere in a string (`repo@sha256:…`, a bare digest). */
export function digestIn(v: unknown): string | undefined {
  const m = typeof v === 'string' ? /sha256:[0-9a-f]{64}/.exec(v) : null;
  return m?.[0];
}

/** Ids that read as vulnerability ids for alias merging; other references (URLs) are left out. */
export const looksLikeId = (s: string): boolean => /^[A-Za-z][A-Za-z0-9]*-[A-Za-z0-9][A-Za-z0-9:._-]*$/.test(s) && !s.includes('://');
