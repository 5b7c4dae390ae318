import { createHash, randomUUID } from 'node:crypto';
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
import type { RecordStore } from '../ports/record-store';
import { normalizedName } from '../signing/identity';
import type { Environment, Environments } from './environments';
import { environmentNamed } from './environments';
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
  /** The environment to decide for (its policy and repositories); default: the gate's own policy. */
  readonly environment?: string;
}

/** How a caller inside the product (not a deployer) uses the gate. */
export interface GateOptions {
  /**
   * Decide on the environment's policy without requiring the artifact to be in one of its
   * repositories: promotion asks "may D enter E?" before D is copied there. Never set from a
   * request: only code that then copies the artifact into E passes it.
   */
  readonly forPromotion?: boolean;
}

/** Who asks, as the endpoint authenticated them (never taken from the request body). */
export interface GateCaller {
  /** An IAM principal ARN in AWS, `local:<user>` on a laptop. */
  readonly identity: string;
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
  /** The environment decided for, when the request named one. */
  readonly environment?: string;
  readonly caller?: string;
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
  /** Named environments (their policies and repositories), for requests that name one. */
  readonly environments?: Environments;
  /**
   * The ledger: when given, an artifact must have been processed by the workflow with a passing
   * (or accepted) scan, and every decision is appended to the artifact's audit trail.
   */
  readonly records?: RecordStore;
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

/** An environment made of given repositories admits artifacts from those only. */
function membershipProblems(env: Environment | undefined, repository: string): string[] {
  if (!env?.repositories) return [];
  const own = normalizedName(repository);
  if (own.ok && env.repositories.includes(own.name)) return [];
  return [`environment ${env.name}: ${repository} is not one of its repositories (${env.repositories.join(', ')}); promote the artifact there first`];
}

/** What the ledger says: processed by the workflow, with a scan that passed (or was accepted without an inventory). */
async function ledgerProblems(records: RecordStore, repository: string, digest: string): Promise<string[]> {
  if (!(await records.isProcessed(repository, digest))) return [`ledger: ${repository}@${digest} was not processed by Artifact Guard (push it to a guarded repository, or promote it)`];
  const scan = (await records.getEvidence(repository, digest)).scan;
  const verdict = typeof scan?.verdict === 'string' ? scan.verdict : undefined;
  if (verdict !== 'pass' && verdict !== 'skipped') return [`ledger: the recorded scan verdict of ${repository}@${digest} is ${verdict ?? 'missing'}`];
  return [];
}

/** Every decision, allow and deny, in the artifact's append-only audit trail. */
async function audit(records: RecordStore, d: GateDecision): Promise<void> {
  const id = createHash('sha256').update(`${d.checkedAt}\n${d.caller ?? ''}\n${d.reference}\n${d.environment ?? ''}\n${randomUUID()}`).digest('hex').slice(0, 24);
  await records.appendEvent(d.repository, d.digest, {
    id,
    time: d.checkedAt,
    type: 'GateDecision',
    detail: { allowed: d.allowed, environment: d.environment ?? null, caller: d.caller ?? null, reference: d.reference, reasons: d.reasons.slice(0, 20), policySource: d.policySource },
  });
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
  return async (req: GateRequest, caller?: GateCaller, options: GateOptions = {}): Promise<GateDecision> => {
    if (!req || typeof req.reference !== 'string' || !req.reference) throw new BadInputError('gate: the request needs a "reference"');
    const spec = parseSource(req.reference);
    if (spec.scheme !== 'registry') throw new BadInputError(`gate: "${req.reference}" is not a registry reference`);
    if (req.environment !== undefined && typeof req.environment !== 'string') throw new BadInputError('gate: "environment" must be a name');
    const env = req.environment === undefined ? undefined : environmentNamed(deps.environments, req.environment);
    const { policy, source: policySource } = appliedPolicy(env ? gateBasePolicy(env.policy) : base, req.policy);
    const identities = requestedIdentities(req.identities, spec.location, allowedIdentities);
    const keys = await deps.keys();
    const source = await deps.openSource(spec);
    let decision: GateDecision;
    try {
      const checkedAt = deps.now().toISOString();
      const o = await verifyWithPolicy({ source, keys, identities, policy, now: deps.now });
      const reasons = [...(options.forPromotion ? [] : membershipProblems(env, o.repository)), ...(deps.records ? await ledgerProblems(deps.records, o.repository, o.digest) : []), ...o.reasons];
      decision = {
        allowed: reasons.length === 0,
        reference: req.reference,
        repository: o.repository,
        digest: o.digest,
        reasons,
        checkedAt,
        policy: policyToDocument(policy),
        policySource,
        ...(env ? { environment: env.name } : {}),
        ...(caller ? { caller: caller.identity } : {}),
      };
    } finally {
      await source.close();
    }
    if (deps.records) await audit(deps.records, decision);
    deps.log?.(decision.allowed ? 'deployment allowed' : 'deployment denied', {
      reference: decision.reference,
      repository: decision.repository,
      digest: decision.digest,
      allowed: decision.allowed,
      reasons: decision.reasons,
      policySource: decision.policySource,
      policy: decision.policy,
      environment: decision.environment ?? null,
      caller: decision.caller ?? null,
    });
    if (!decision.allowed) {
      deps.metrics.count(MetricName.signatureVerificationFailures);
      await deps.alerts.publish([
        {
          type: AlertType.signatureFailed,
          detail: {
            summary: `deployment of ${decision.repository}@${decision.digest}${decision.environment ? ` to ${decision.environment}` : ''} denied: ${decision.reasons.slice(0, 3).join('; ')}${decision.reasons.length > 3 ? '; …' : ''}`,
            environment: decision.environment ?? null,
            caller: decision.caller ?? null,
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
