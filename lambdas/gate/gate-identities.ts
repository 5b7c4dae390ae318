import { BadInputError } from '../core/errors';
import { normalizedName } from '../signing/identity';

/**
 * Which repositories' signatures a gate request may accept. `identities` replaces the
 * reference's own repository as the name a signature must carry (`verify --identity`), so a
 * caller could otherwise point the gate at any repository the stack ever signed, e.g. one whose
 * images were never meant for this deployment. That is a widening, so it is bounded by the
 * operator: only repositories in `allowed` (GATE_IDENTITIES), and with no list configured none
 * at all (fail closed). Naming the reference's own repository is always fine: it is the default.
 */
export function requestedIdentities(requested: unknown, ownRepository: string, allowed: ReadonlySet<string> | undefined): string[] {
  if (requested === undefined) return [];
  if (!Array.isArray(requested) || requested.some((id) => typeof id !== 'string')) throw new BadInputError('gate: "identities" must be a list of repositories (HOST/REPO)');
  const own = repositoryName(ownRepository, 'the reference');
  for (const id of requested as string[]) {
    const name = repositoryName(id, 'identity');
    if (name === own || allowed?.has(name)) continue;
    throw new BadInputError(
      allowed
        ? `gate: identity ${name} is not among the identities the gate accepts (${[...allowed].join(', ') || 'none'})`
        : `gate: identity ${name} is refused: the gate accepts signatures for other repositories only when its operator lists them (GATE_IDENTITIES)`,
    );
  }
  return requested as string[];
}

/** The operator's list, normalised once (an invalid entry is a configuration error). */
export function allowedIdentitySet(allowed: readonly string[] | undefined): ReadonlySet<string> | undefined {
  return allowed && new Set(allowed.map((id) => repositoryName(id, 'allowed identity')));
}

function repositoryName(reference: string, what: string): string {
  const n = normalizedName(reference);
  if (!n.ok) throw new BadInputError(`gate: ${what} ${n.reason}`);
  return n.name;
}
