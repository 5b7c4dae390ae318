import type { ArtifactSource } from '../oci/source';
import type { VerificationKey } from '../signing/verifier';
import type { VerifyOutcome } from '../signing/verify-artifact';
import { verifyArtifact } from '../signing/verify-artifact';
import { memberTargets, planArtifact } from '../oci/artifact-plan';
import { BadInputError } from '../core/errors';
import type { AcceptedAttestation, Evidence, RejectedEvidence } from './evidence';
import { collectEvidence } from './evidence';
import type { Policy, RequiredAttestation } from './policy';
import { PREDICATE_TYPES } from './predicate-types';
import { ageProblem, provenanceProblems, sourcesProblems, statementTime, vulnerabilityProblem } from './policy-rules';

export interface PolicyVerifyRequest {
  readonly source: ArtifactSource;
  readonly keys: readonly VerificationKey[];
  /** As `verify --identity`: repositories the cosign signature may name. */
  readonly identities?: readonly string[];
  readonly policy: Policy;
  /** The clock for maximum ages (injected in tests). */
  readonly now?: () => Date;
}

export interface UsedAttestation {
  readonly origin: string;
  readonly key: string;
  readonly time?: string;
  /** The manifest it is about: REF's digest, or a platform manifest of REF's index. */
  readonly digest: string;
  readonly platform?: string;
}

export interface AttestationResult {
  readonly type: string;
  readonly predicateType: string;
  /**
   * The attestations the rules read: the newest accepted one for REF's digest or, when REF is an
   * index without one, the newest for each of its platform manifests.
   */
  readonly used: readonly UsedAttestation[];
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

interface Scope {
  readonly digest: string;
  readonly platform?: string;
}

/** The rules of the policy on one accepted attestation. */
function ruleProblems(policy: Policy, required: RequiredAttestation, used: AcceptedAttestation, now: Date): string[] {
  const problems: string[] = [];
  if (required.maxAgeMs !== undefined) {
    const old = ageProblem(used.statement, required.maxAgeMs, now, required.maxAge);
    if (old) problems.push(`${required.name} attestation: the newest (${used.origin}) ${old}`);
  }
  if (required.predicateType === PREDICATE_TYPES.vuln && policy.failOn) {
    const vuln = vulnerabilityProblem(used.statement, policy.failOn, policy.unknownSeverity, policy.sources ?? 'all');
    if (vuln) problems.push(`vulnerabilities: ${vuln} (${used.origin})`);
  }
  if (required.predicateType === PREDICATE_TYPES.vuln && policy.requiredSources) {
    for (const p of sourcesProblems(used.statement, policy.requiredSources, now)) problems.push(`vulnerabilities: ${p} (${used.origin})`);
  }
  if (required.predicateType === PREDICATE_TYPES.slsaprovenance1) {
    for (const p of provenanceProblems(used.statement, policy.sourceRepositories, policy.builders)) problems.push(`provenance: ${p} (${used.origin})`);
  }
  return problems;
}

/**
 * `verify --policy`: the cosign signature (unless `signature: false`), then every required
 * attestation (DSSE-verified with one of the keys, in-toto payloadType, subject digest equal to
 * REF's, storage annotation equal to the predicateType), then the rules on the newest accepted
 * attestation of each type. For a multi-arch index, a type the index itself lacks is satisfied
 * when every platform manifest has it (SBOMs and scans are per platform), and the rules then
 * hold for each. Allowed iff no reason was found; every reason is reported.
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

  // Every image (and every manifest that is not one) an index stands for must carry the evidence.
  const platforms: Scope[] = root.manifest.kind === 'index' ? memberTargets(await planArtifact(req.source, root)).map((t) => ({ digest: t.digest, ...(t.platform ? { platform: t.platform } : {}) })) : [];
  const evidence = new Map<string, Evidence>();
  const evidenceAt = async (d: string): Promise<Evidence> => {
    let e = evidence.get(d);
    if (!e) {
      e = await collectEvidence(req.source, d, req.keys, policy.evidence);
      evidence.set(d, e);
    }
    return e;
  };
  const where = policy.evidence === 'any' ? '.att and bundle referrers' : policy.evidence === 'att' ? '.att' : 'bundle referrers';

  const attestations: AttestationResult[] = [];
  for (const required of policy.attestations) {
    const ofType = (e: Evidence) => e.accepted.filter((a) => a.statement.predicateType === required.predicateType);
    const rootEvidence = await evidenceAt(digest);
    let chosen: { scope: Scope; used: AcceptedAttestation }[] = [];
    const atRoot = newest(ofType(rootEvidence));
    if (atRoot) chosen = [{ scope: { digest }, used: atRoot }];
    else if (platforms.length > 0) {
      const perPlatform = await Promise.all(platforms.map(async (scope) => ({ scope, used: newest(ofType(await evidenceAt(scope.digest))) })));
      const missing = perPlatform.filter((p) => !p.used);
      if (missing.length === 0) chosen = perPlatform as { scope: Scope; used: AcceptedAttestation }[];
      else {
        const lines = [...rejectionsFor(required, rootEvidence.rejected)];
        for (const m of missing) lines.push(`  ${m.scope.platform ?? m.scope.digest}: none verified for ${m.scope.digest}`, ...rejectionsFor(required, (await evidenceAt(m.scope.digest)).rejected).map((l) => `  ${l}`));
        reasons.push(`${required.name} attestation: none verified for the index ${digest} nor for every platform manifest (${required.predicateType}, looked in ${where})\n${lines.join('\n')}`);
      }
    } else {
      const why = rejectionsFor(required, rootEvidence.rejected);
      reasons.push(`${required.name} attestation: none verified for ${digest} (${required.predicateType}, looked in ${where})${why.length ? `\n${why.join('\n')}` : ''}`);
    }
    for (const { scope, used } of chosen) {
      const prefix = scope.platform ? `${scope.platform}: ` : scope.digest !== digest ? `${scope.digest}: ` : '';
      for (const problem of ruleProblems(policy, required, used, now)) reasons.push(`${prefix}${problem}`);
    }
    attestations.push({
      type: required.name,
      predicateType: required.predicateType,
      used: chosen.map(({ scope, used }) => {
        const time = statementTime(used.statement);
        return { origin: used.origin, key: used.key, digest: scope.digest, ...(scope.platform ? { platform: scope.platform } : {}), ...(time ? { time: time.toISOString() } : {}) };
      }),
    });
  }
  const rejected = [...evidence.values()].flatMap((e) => e.rejected);
  return { allowed: reasons.length === 0, repository: writer.repositoryName, digest, ...(signature ? { signature } : {}), attestations, reasons, rejected };
}
