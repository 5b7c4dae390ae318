import { BadInputError } from '../core/errors';

/** Which tags a push may use. Anything else is recorded and alerted (`Policy Violation`, reason `tag-policy`). */
export interface TagPolicy {
  /** Regular expressions, each matched against the whole tag. */
  readonly allow: readonly string[];
}

/**
 * Semantic versions (optional `v`; `1` and `1.4` as registries use them for the newest patch;
 * pre-release and build parts), `sha-<hex>` commit tags and `build-<id>` tags.
 */
export const DEFAULT_TAG_POLICY: TagPolicy = {
  allow: [
    'v?(0|[1-9]\\d*)(\\.(0|[1-9]\\d*)){0,2}(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?',
    'sha-[0-9a-f]{7,64}',
    'build-[0-9A-Za-z._-]+',
  ],
};

/** A policy from its patterns (stack props, `--tag-pattern`): each must be a valid expression. */
export function tagPolicyFrom(patterns: readonly string[], what = 'tag policy'): TagPolicy {
  if (patterns.length === 0) throw new BadInputError(`${what}: give at least one pattern`);
  for (const p of patterns) {
    try {
      new RegExp(`^(?:${p})$`);
    } catch (err) {
      throw new BadInputError(`${what}: "${p}" is not a regular expression (${(err as Error).message})`);
    }
  }
  return { allow: [...patterns] };
}

/** Undefined when allowed; else the rule, in words, that the tag breaks. */
export function tagPolicyProblem(policy: TagPolicy, tag: string): string | undefined {
  if (policy.allow.some((p) => new RegExp(`^(?:${p})$`).test(tag))) return undefined;
  const why = tag === 'latest' ? '"latest" names no release and moves' : 'matches none of the allowed patterns';
  return `${why}; allowed: ${policy.allow.join(' | ')}`;
}

/** The policy as the Lambdas read it from TAG_POLICY (JSON list of patterns, or `off`). */
export function tagPolicyFromEnvironment(value: string | undefined): TagPolicy | undefined {
  if (value === undefined || value === '') return DEFAULT_TAG_POLICY;
  if (value === 'off') return undefined;
  const parsed = JSON.parse(value) as unknown;
  if (!Array.isArray(parsed) || !parsed.every((p): p is string => typeof p === 'string')) throw new BadInputError('TAG_POLICY must be a JSON list of patterns or "off"');
  return tagPolicyFrom(parsed, 'TAG_POLICY');
}
