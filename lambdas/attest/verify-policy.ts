import type { ArtifactSource } from '../oci/source';
import type { VerificationKey } from '../signing/verifier';
import type { VerifyOutcome } from '../signing/verify-artifact';
import { verifyArtifact } from '../signing/verify-artifact';
import { BadInputError } from '../core/errors';
import type { AcceptedAttestation, RejectedEvidence } from './evidence';
import { collectEvidence } from './evidence';
import type { Policy, RequiredAttestation } from './policy';
import { PREDICATE_TYPES } from './predicate-types';
import { ageProblem, provenanceProblems, statementTime, vulnerabilityProblem } from './policy-rules';

export interface PolicyVerifyRequest {
  readonly source: ArtifactSource;
  readonly keys: readonly VerificationKey[];
  /** As `verify --identity`: repositories the cosign signature may name. */
  readonly identities?: readonly string[];
  readonly policy: Policy;
  /** The clock for maximum ages (injected in tests). */
  readonly now?: () => Date;
}

export interface AttestationResult {
  readonly type: string;
  readonly predicateType: string;
  /** The attestation the rules read: the newest accepted one of the type. */
  readonly used?: { readonly origin: string; readonly key: string; readonly time?: string };
  readonly accepted: number;
}

export interface PolicyOutcome {
  readonly allowed: boolean;
  readonly repository: string;
  readonly digest: string;
  readonly signature?: Pick<VerifyOutcome, 'allowed' | 'accepted' | 'reasons'>;
  readonly attestations: readonly AttestationResult[];
  /** Every reason the artifact is denied (empty when allowed). */
  readonly reasons: readonly string[];
  /** Evidence that was found but not accepted (forged, other keys, other digests), even when allowed. */
  readonly rejected: readonly RejectedEvidence[];
}

function newest(list: readonly AcceptedAttestation[]): AcceptedAttestation | undefined {
  // Later storage order wins ties, so a re-attested statement replaces an undated older one.
  let best: AcceptedAttestation | undefined;
  for (const a of list) {
    if (!best || (statementTime(a.statement)?.getTime() ?? -Infinity) >= (statementTime(best.statement)?.getTime() ?? -Infinity)) best = a;
  }
  return best;
}

/** Why each piece of evidence that could have satisfied `req` was refused. */
function rejectionsFor(req: RequiredAttestation, rejected: readonly RejectedEvidence[]): string[] {
  return rejected.filter((r) => r.claimedType === undefined || r.claimedType === req.predicateType).map((r) => `  ${r.origin}: ${r.reason}`);
}

/**
 * `verify --policy`: the cosign signature (unless `signature: false`), then every required
 * attestation (DSSE-verified with one of the keys, in-toto payloadType, subject digest equal to
 * REF's, storage annotation equal to the predicateType), then the rules on the newest accepted
 * attestation of each type. Allowed iff no reason was found; every reason is reported.
 */
export async function verifyWithPolicy(req: PolicyVerifyRequest): Promise<PolicyOutcome> {
  const writer = req.source.writer;
  if (!writer) throw new BadInputError(`${req.source.display}: attestations can only be read from a registry or an oci-dir layout`);
  if (req.keys.length === 0) throw new BadInputError('verify needs at least one --key');
  const now = (req.now ?? (() => new Date()))();
  const { policy } = req;
  const root = await req.source.resolve();
  const digest = root.digest;
  const reasons: string[] = [];

  let signature: PolicyOutcome['signature'];
  if (policy.signature) {
    const sig = await verifyArtifact({ source: req.source, keys: req.keys, identities: req.identities ?? [] });
    signature = { allowed: sig.allowed, accepted: sig.accepted, reasons: sig.reasons };
    if (!sig.allowed) reasons.push(`signature: no acceptable signature in ${sig.signatureTag}${sig.reasons.map((r) => `\n  ${r}`).join('')}`);
  }

  const evidence = await collectEvidence(req.source, digest, req.keys, policy.evidence);
  const attestations: AttestationResult[] = [];
  for (const required of policy.attestations) {
    const accepted = evidence.accepted.filter((a) => a.statement.predicateType === required.predicateType);
    const used = newest(accepted);
    const label = `${required.name} attestation`;
    if (!used) {
      const why = rejectionsFor(required, evidence.rejected);
      reasons.push(`${label}: none verified for ${digest} (${required.predicateType}, looked in ${policy.evidence === 'any' ? '.att and bundle referrers' : policy.evidence === 'att' ? '.att' : 'bundle referrers'})${why.length ? `\n${why.join('\n')}` : ''}`);
      attestations.push({ type: required.name, predicateType: required.predicateType, accepted: 0 });
      continue;
    }
    const time = statementTime(used.statement);
    attestations.push({ type: required.name, predicateType: required.predicateType, accepted: accepted.length, used: { origin: used.origin, key: used.key, ...(time ? { time: time.toISOString() } : {}) } });
    if (required.maxAgeMs !== undefined) {
      const old = ageProblem(used.statement, required.maxAgeMs, now, required.maxAge);
      if (old) reasons.push(`${label}: the newest (${used.origin}) ${old}`);
    }
    if (required.predicateType === PREDICATE_TYPES.vuln && policy.failOn) {
      const vuln = vulnerabilityProblem(used.statement, policy.failOn);
      if (vuln) reasons.push(`vulnerabilities: ${vuln} (${used.origin})`);
    }
    if (required.predicateType === PREDICATE_TYPES.slsaprovenance1) {
      for (const p of provenanceProblems(used.statement, policy.sourceRepositories, policy.builders)) reasons.push(`provenance: ${p} (${used.origin})`);
    }
  }
  return { allowed: reasons.length === 0, repository: writer.repositoryName, digest, ...(signature ? { signature } : {}), attestations, reasons, rejected: evidence.rejected };
}
