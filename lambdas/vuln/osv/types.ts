/**
 * OSV records (ossf/osv-schema `docs/schema.md`), reduced to the fields the scanner reads.
 * Values reach these types only through `parseOsvRecord`, which checks every field declared
 * here, so the matcher can trust them; other fields stay in the object, unchecked and unused.
 */

/** One `ranges[].events[]` entry: exactly one of the four kinds (the parser enforces it). */
export type OsvEvent =
  | { readonly introduced: string }
  | { readonly fixed: string }
  | { readonly last_affected: string }
  | { readonly limit: string };

export type OsvRangeType = 'SEMVER' | 'ECOSYSTEM' | 'GIT';

export interface OsvRange {
  /** Unknown types are kept as written and never evaluated. */
  readonly type: OsvRangeType | string;
  readonly repo?: string;
  readonly events: readonly OsvEvent[];
}

export interface OsvSeverity {
  /** `CVSS_V2`, `CVSS_V3`, `CVSS_V4`, `Ubuntu`, or a type this scanner does not know. */
  readonly type: string;
  readonly score: string;
}

export interface OsvPackage {
  readonly ecosystem: string;
  readonly name: string;
  readonly purl?: string;
}

export type JsonObject = Readonly<Record<string, unknown>>;

export interface OsvAffected {
  readonly package: OsvPackage;
  readonly severity?: readonly OsvSeverity[];
  readonly ranges?: readonly OsvRange[];
  readonly versions?: readonly string[];
  readonly ecosystem_specific?: JsonObject;
  readonly database_specific?: JsonObject;
}

export interface OsvRecord {
  readonly id: string;
  readonly modified: string;
  readonly published?: string;
  readonly withdrawn?: string;
  readonly aliases?: readonly string[];
  readonly upstream?: readonly string[];
  readonly related?: readonly string[];
  readonly summary?: string;
  readonly details?: string;
  readonly severity?: readonly OsvSeverity[];
  readonly affected?: readonly OsvAffected[];
  readonly references?: readonly { readonly type: string; readonly url: string }[];
  readonly database_specific?: JsonObject;
}

export const isIntroduced = (e: OsvEvent): e is { introduced: string } => 'introduced' in e;
export const isFixed = (e: OsvEvent): e is { fixed: string } => 'fixed' in e;
export const isLastAffected = (e: OsvEvent): e is { last_affected: string } => 'last_affected' in e;
export const isLimit = (e: OsvEvent): e is { limit: string } => 'limit' in e;

/** The version an event names, whatever its kind. */
export function eventVersion(e: OsvEvent): string {
  if (isIntroduced(e)) return e.introduced;
  if (isFixed(e)) return e.fixed;
  if (isLastAffected(e)) return e.last_affected;
  return (e as { readonly limit: string }).limit;
}
