/**
 * Ignore files (YAML or JSON), a list or `{ ignore: [...] }`:
 *   - id: CVE-2023-1234          the finding id, any alias, or a record id
 *     package: openssl           optional: a package name or a purl (version optional)
 *     reason: not reachable      required: why
 *     expires: 2026-01-31        optional: a date (valid through that day, UTC) or a timestamp
 * Every rule says why; a malformed rule is a bad input naming the file and the rule number.
 */
import { parse as parseYaml } from 'yaml';
import { BadInputError } from '../core/errors';

export interface IgnoreRule {
  readonly id: string;
  readonly package?: string;
  readonly reason: string;
  readonly expires?: string;
  /** `FILE#N` (N from 1), for reports. */
  readonly origin: string;
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** Expiry instant: a date is valid through the end of that day (UTC); a timestamp is exact. */
export function expiryTime(expires: string): number {
  if (/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(expires)) return Date.parse(`${expires}T00:00:00Z`) + 24 * 3600 * 1000;
  return Date.parse(expires);
}

export function parseIgnoreFile(text: string, file: string): IgnoreRule[] {
  let doc: unknown;
  try {
    doc = parseYaml(text); // YAML is a superset of JSON: one parser reads both.
  } catch (err) {
    throw new BadInputError(`${file}: not YAML or JSON (${(err as Error).message.split('\n')[0]})`);
  }
  const list = Array.isArray(doc) ? doc : isObject(doc) ? (doc.ignore ?? doc.rules) : undefined;
  if (doc === null || doc === undefined) return [];
  if (!Array.isArray(list)) throw new BadInputError(`${file}: expected a list of rules or { ignore: [...] }`);
  return list.map((raw, i) => {
    const where = `${file}#${i + 1}`;
    if (!isObject(raw)) throw new BadInputError(`${where}: a rule must be an object with id and reason`);
    const id = str(raw.id);
    const reason = str(raw.reason);
    if (!id) throw new BadInputError(`${where}: missing id`);
    if (!reason) throw new BadInputError(`${where}: missing reason (say why ${id} is ignored)`);
    if (raw.package !== undefined && !str(raw.package)) throw new BadInputError(`${where}: package must be a name or a purl`);
    let expires: string | undefined;
    if (raw.expires !== undefined && raw.expires !== null) {
      expires = raw.expires instanceof Date ? raw.expires.toISOString() : str(raw.expires);
      if (!expires || !Number.isFinite(expiryTime(expires))) throw new BadInputError(`${where}: expires "${String(raw.expires)}" is not a date (YYYY-MM-DD) or timestamp`);
    }
    return { id, reason, origin: where, ...(str(raw.package) ? { package: str(raw.package) } : {}), ...(expires ? { expires } : {}) };
  });
}
