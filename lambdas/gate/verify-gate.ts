import type { Policy } from '../attest/policy';
import { policyFrom } from '../attest/policy';
import { verifyWithPolicy } from '../attest/verify-policy';
import { BadInputError } from '../core/errors';
import type { SourceSpec } from '../oci/open-source';
import { parseSource } from '../oci/open-source';
import type { ArtifactSource } from '../oci/source';
import type { AlertSink } from '../ports/alert-sink';
import type { MetricsSink } from '../ports/metrics';
import type { VerificationKey } from '../signing/verifier';
import { verifyArtifact } from '../signing/verify-artifact';
import { AlertType, MetricName } from '../workflow/states';

/** What a deployer asks: may this reference run? */
export interface GateRequest {
  /** `HOST/REPO:TAG` or `HOST/REPO@sha256:…` (with or without `registry:`). */
  readonly reference: string;
  /** A verification policy document (the `verify --policy` format); default: the gate's own. */
  readonly policy?: unknown;
  /** Repositories whose signatures are accepted instead of the reference's own (replicas). */
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
}

export interface GateDeps {
  readonly openSource: (spec: SourceSpec) => Promise<ArtifactSource>;
  /** The stack's public key(s): several during a key rollover. */
  readonly keys: () => Promise<readonly VerificationKey[]>;
  readonly alerts: AlertSink;
  readonly metrics: MetricsSink;
  /** Applied when the request has no policy. @default - a valid signature is enough */
  readonly defaultPolicy?: Policy;
  readonly now: () => Date;
}

/**
 * The deploy gate: answers "may this digest run in production?" from the evidence the workflow
 * attached (signature, and with a policy the attestations), with the stack's key. A denial
 * counts as a signature verification failure and raises an alert; an error (unreachable
 * registry, malformed request) is an error, never a silent allow.
 */
export function createVerifyGate(deps: GateDeps) {
  return async (req: GateRequest): Promise<GateDecision> => {
    if (!req || typeof req.reference !== 'string' || !req.reference) throw new BadInputError('gate: the request needs a "reference"');
    const spec = parseSource(req.reference);
    if (spec.scheme !== 'registry') throw new BadInputError(`gate: "${req.reference}" is not a registry reference`);
    const policy = req.policy === undefined ? deps.defaultPolicy : policyFrom(req.policy);
    const keys = await deps.keys();
    const identities = req.identities ?? [];
    const source = await deps.openSource(spec);
    let decision: GateDecision;
    try {
      const checkedAt = deps.now().toISOString();
      if (policy) {
        const o = await verifyWithPolicy({ source, keys, identities, policy, now: deps.now });
        decision = { allowed: o.allowed, reference: req.reference, repository: o.repository, digest: o.digest, reasons: o.reasons, checkedAt };
      } else {
        const o = await verifyArtifact({ source, keys, identities });
        decision = { allowed: o.allowed, reference: req.reference, repository: o.repository, digest: o.digest, reasons: o.reasons, checkedAt };
      }
    } finally {
      await source.close();
    }
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
          },
        },
      ]);
    }
    return decision;
  };
}
