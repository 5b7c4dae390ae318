import type { Policy } from '../attest/policy';
import { policyFrom, policyToDocument } from '../attest/policy';
import { tightenPolicy } from '../attest/policy-merge';
import { verifyWithPolicy } from '../attest/verify-policy';
import { BadInputError } from '../core/errors';
import type { SourceSpec } from '../oci/open-source';
import { parseSource } from '../oci/open-source';
import type { ArtifactSource } from '../oci/source';
import type { AlertSink } from '../ports/alert-sink';
import type { MetricsSink } from '../ports/metrics';
import type { VerificationKey } from '../signing/verifier';
import { MetricName } from '../core/metric-names';
import { AlertType } from '../core/alerts';
import { allowedIdentitySet, requestedIdentities } from './gate-identities';

/** What a deployer asks: may this reference run? */
export interface GateRequest {
  /** `HOST/REPO:TAG` or `HOST/REPO@sha256:…` (with or without `registry:`). */
  readonly reference: string;
  /**
   * A verification policy document (the `verify --policy` format) that can only ADD to the
   * gate's own policy (`tightenPolicy`): a caller never weakens what the operator set.
   */
  readonly policy?: unknown;
  /**
   * Repositories whose signatures are accepted instead of the reference's own (replicas). This
   * WIDENS what the gate accepts, so only repositories in `GateDeps.allowedIdentities` may be
   * named (none when it is unset); see `gate-identities.ts`.
   */
  readonly identities?: readonly string[];
}

export interface GateDecision {
  readonly allowed: boolean;
  readonly reference: string;
  readonly repository: string;
  /** The digest that was verified: deploy this one, not the tag. */
  readonly digest: string;
  readonly reasons: readonly string[];
  readonly checkedAt: string;
  /** The policy that was applied, as a `verify --policy` document (replayable with the CLI). */
  readonly policy: Record<string, unknown>;
  /** `gate`: the operator's policy alone; `gate+request`: tightened by the request's. */
  readonly policySource: 'gate' | 'gate+request';
}

export interface GateDeps {
  readonly openSource: (spec: SourceSpec) => Promise<ArtifactSource>;
  /** The stack's public key(s): several during a key rollover. */
  readonly keys: () => Promise<readonly VerificationKey[]>;
  readonly alerts: AlertSink;
  readonly metrics: MetricsSink;
  /**
   * The operator's policy (the stack's `gatePolicy`); a request policy can only tighten it. Its
   * `signature: false` is overridden (see `gateBasePolicy`). @default - a valid signature
   */
  readonly defaultPolicy?: Policy;
  /**
   * Repositories a request's `identities` may name (GATE_IDENTITIES). @default - none: a request
   * naming another repository than the reference's own is refused
   */
  readonly allowedIdentities?: readonly string[];
  /** Where every decision is logged, with the policy applied (the Lambda's logger). */
  readonly log?: (message: string, fields: Readonly<Record<string, unknown>>) => void;
  readonly now: () => Date;
}

/** Without an operator policy: the stack's signature, nothing else. */
const SIGNATURE_ONLY: Policy = { signature: true, evidence: 'any', attestations: [] };

/**
 * The policy every request starts from: the operator's, with the signature always required.
 * The workflow attaches attestations (provenance, SBOM, scan) whatever the scan verdict, but
 * signs only artifacts whose scan passed (unless the stack signs regardless): an attestation-only
 * policy would let an image whose scan failed or never completed through, so the gate never
 * runs one, even when the operator's gatePolicy says `signature: false`.
 */
export function gateBasePolicy(defaultPolicy: Policy | undefined): Policy {
  return { ...(defaultPolicy ?? SIGNATURE_ONLY), signature: true };
}

function appliedPolicy(base: Policy, requested: unknown): { policy: Policy; source: GateDecision['policySource'] } {
  if (requested === undefined) return { policy: base, source: 'gate' };
  try {
    return { policy: tightenPolicy(base, policyFrom(requested)), source: 'gate+request' };
  } catch (err) {
    if (err instanceof BadInputError) throw new BadInputError(`gate: the request's policy: ${err.message}`);
    throw err;
  }
}

/**
 * The deploy gate: answers "may this digest run in production?" from the evidence the workflow
 * attached (signature, and with a policy the attestations), with the stack's key. A denial
 * counts as a signature verification failure and raises an alert; an error (unreachable
 * registry, malformed request) is an error, never a silent allow.
 */
export function createVerifyGate(deps: GateDeps) {
  const base = gateBasePolicy(deps.defaultPolicy);
  // Configuration errors surface when the gate is built, not as a caller's bad request.
  const allowedIdentities = allowedIdentitySet(deps.allowedIdentities);
  return async (req: GateRequest): Promise<GateDecision> => {
    if (!req || typeof req.reference !== 'string' || !req.reference) throw new BadInputError('gate: the request needs a "reference"');
    const spec = parseSource(req.reference);
    if (spec.scheme !== 'registry') throw new BadInputError(`gate: "${req.reference}" is not a registry reference`);
    const { policy, source: policySource } = appliedPolicy(base, req.policy);
    const identities = requestedIdentities(req.identities, spec.location, allowedIdentities);
    const keys = await deps.keys();
    const source = await deps.openSource(spec);
    let decision: GateDecision;
    try {
      const checkedAt = deps.now().toISOString();
      const o = await verifyWithPolicy({ source, keys, identities, policy, now: deps.now });
      decision = { allowed: o.allowed, reference: req.reference, repository: o.repository, digest: o.digest, reasons: o.reasons, checkedAt, policy: policyToDocument(policy), policySource };
    } finally {
      await source.close();
    }
    deps.log?.(decision.allowed ? 'deployment allowed' : 'deployment denied', {
      reference: decision.reference,
      repository: decision.repository,
      digest: decision.digest,
      allowed: decision.allowed,
      reasons: decision.reasons,
      policySource: decision.policySource,
      policy: decision.policy,
    });
    if (!decision.allowed) {
      deps.metrics.count(MetricName.signatureVerificationFailures);
      await deps.alerts.publish([
        {
          type: AlertType.signatureFailed,
          detail: {
            summary: `deployment of ${decision.repository}@${decision.digest} denied: ${decision.reasons.slice(0, 3).join('; ')}${decision.reasons.length > 3 ? '; …' : ''}`,
            reference: req.reference,
            repository: decision.repository,
            digest: decision.digest,
            reasons: decision.reasons,
            policySource: decision.policySource,
            policy: decision.policy,
          },
        },
      ]);
    }
    return decision;
  };
}
