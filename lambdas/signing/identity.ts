/**
 * Docker reference names as containers/image compares them (`signedIdentity: matchRepository`):
 * both sides go through distribution/reference's ParseNormalizedNamed and their Name() (registry
 * and path, no tag, no digest) must be equal. `ubuntu`, `docker.io/ubuntu`,
 * `index.docker.io/library/ubuntu:22.04` all name `docker.io/library/ubuntu`.
 */
export type NameResult = { readonly ok: true; readonly name: string } | { readonly ok: false; readonly reason: string };

const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const MAX_NAME_LENGTH = 255;

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE_RE = new RegExp(`^(${DOMAIN})/(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::${TAG})?(?:@${DIGEST})?$`);

/** distribution/reference splitDockerDomain: which part is the registry, with Docker Hub's defaults. */
function splitDockerDomain(name: string): { domain: string; remainder: string } {
  const slash = name.indexOf('/');
  if (slash < 0) return { domain: DEFAULT_DOMAIN, remainder: `library/${name}` };
  const first = name.slice(0, slash);
  const rest = name.slice(slash + 1);
  let domain: string;
  let remainder: string;
  if (first === 'localhost' || /[.:]/.test(first) || first.toLowerCase() !== first) {
    // localhost, a host name, an IP address, host:port, or an upper-case first component.
    domain = first === LEGACY_DEFAULT_DOMAIN ? DEFAULT_DOMAIN : first;
    remainder = rest;
  } else {
    domain = DEFAULT_DOMAIN;
    remainder = name;
  }
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = `library/${remainder}`;
  return { domain, remainder };
}

/** The normalised repository name (`HOST/PATH`) of a reference, or why it is not one. */
export function normalizedName(reference: string): NameResult {
  const shown = JSON.stringify(reference.length > 300 ? `${reference.slice(0, 300)}…` : reference);
  if (/^[a-f0-9]{64}$/.test(reference)) return { ok: false, reason: `${shown} is an image ID, not a repository` };
  const { domain, remainder } = splitDockerDomain(reference);
  const colon = remainder.indexOf(':');
  const remoteName = colon >= 0 ? remainder.slice(0, colon) : remainder;
  if (remoteName.toLowerCase() !== remoteName) return { ok: false, reason: `${shown}: repository name must be lowercase` };
  const m = REFERENCE_RE.exec(`${domain}/${remainder}`);
  if (!m) return { ok: false, reason: `${shown} is not a valid docker reference` };
  const name = `${m[1]}/${m[2]}`;
  if (name.length > MAX_NAME_LENGTH) return { ok: false, reason: `${shown}: repository name longer than ${MAX_NAME_LENGTH} characters` };
  return { ok: true, name };
}

export type IdentityMatch = { readonly ok: true; readonly name: string } | { readonly ok: false; readonly reason: string };

/**
 * containers/image `matchRepository`: the signed docker-reference names one of the accepted
 * repositories (already normalised); tag and digest in the signed reference do not matter.
 */
export function matchRepository(signedReference: string, acceptedNames: readonly string[]): IdentityMatch {
  const signed = normalizedName(signedReference);
  if (!signed.ok) return { ok: false, reason: `signed identity ${signed.reason}` };
  if (acceptedNames.includes(signed.name)) return { ok: true, name: signed.name };
  return { ok: false, reason: `signed for repository ${signed.name}, not ${acceptedNames.join(' or ')}` };
}
