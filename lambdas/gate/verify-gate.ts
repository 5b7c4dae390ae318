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
import type { ScanHistory } from '../ports/scan-history';
import { newestScanProblems } from './newest-scan';
import { normalizedName } from '../signing/identity';
import type { Environment, Environments } from './environments';
import { environmentNamed } from './environments';
import { allowedIdentitySet, requestedIdentities } from './gate-identities';
import type { ChartImages } from './chart-images';
import { chartImagesOf, imageReference } from './chart-images';
import { isHelmChart } from '../oci/classify';

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

/** One image a chart deploys, as the gate checked it under the same environment and policy. */
export interface ChartImageDecision {
  /** As the chart names it, normalised (`docker.io/library/nginx@sha256:…`, `…:1.25`). */
  readonly reference: string;
  /** Where the chart names it (`app/values.yaml#image`). */
  readonly foundAt: string;
  readonly allowed: boolean;
  /** The digest verified (images named by digest). */
  readonly digest?: string;
  readonly reasons: readonly string[];
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
  /** For a Helm chart: every image it deploys, each checked like a deployment of its own. */
  readonly images?: readonly ChartImageDecision[];
  /** What the policy lets through but a reader should know (an image named by tag, with `charts.imagesByTag: warn`). */
  readonly warnings?: readonly string[];
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
  /**
   * Scans after the first (the vulnerability watch, re-evaluations, the weekly re-scan): when
   * given, the ledger's verdict, the policy's `failOn` and the vuln `maxAge` are judged on the
   * newest scan, so a CVE published after the push denies without a new push.
   */
  readonly scans?: ScanHistory;
  /** Where every decision is logged, with the policy applied (the Lambda's logger). */
  readonly log?: (message: string, fields: Readonly<Record<string, unknown>>) => void;
  readonly now: () => Date;
}

/** Images of one chart the gate verifies; a chart deploying more is denied, not partly checked. */
const MAX_CHART_IMAGES = 64;

interface Check {
  readonly spec: SourceSpec;
  readonly identities: readonly string[];
  readonly env: Environment | undefined;
  readonly policy: Policy;
  readonly options: GateOptions;
  readonly keys: readonly VerificationKey[];
  /** Check a chart's images (the top-level artifact only: an image is not a chart). */
  readonly chart: boolean;
}

interface Checked {
  readonly repository: string;
  readonly digest: string;
  readonly reasons: string[];
  readonly warnings: string[];
  readonly images?: ChartImageDecision[];
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
async function ledgerProblems(records: RecordStore, repository: string, digest: string, newest?: { scans: ScanHistory; policy: Policy; now: Date }): Promise<string[]> {
  if (!(await records.isProcessed(repository, digest))) return [`ledger: ${repository}@${digest} was not processed by Artifact Guard (push it to a guarded repository, or promote it)`];
  const later = newest ? await newest.scans.newest(repository, digest) : undefined;
  if (later && newest) return newestScanProblems(later, newest.policy, newest.now, `${repository}@${digest}`);
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

  /** One artifact's evidence, membership and ledger; for a chart (at the top only), its images too. */
  const check = async (c: Check): Promise<Checked> => {
    const source = await deps.openSource(c.spec);
    try {
      const o = await verifyWithPolicy({ source, keys: c.keys, identities: c.identities, policy: c.policy, now: deps.now });
      const reasons = [...(c.options.forPromotion ? [] : membershipProblems(c.env, o.repository)), ...(deps.records ? await ledgerProblems(deps.records, o.repository, o.digest, deps.scans ? { scans: deps.scans, policy: c.policy, now: deps.now() } : undefined) : []), ...o.reasons];
      const root = c.chart ? await source.resolve() : undefined;
      if (!root || root.digest !== o.digest || !isHelmChart(root.manifest)) return { repository: o.repository, digest: o.digest, reasons, warnings: [] };
      const images = await checkChartImages(c, await chartImagesOf(source, root));
      return { repository: o.repository, digest: o.digest, reasons: [...reasons, ...images.reasons], warnings: images.warnings, images: images.images };
    } finally {
      await source.close();
    }
  };

  /** Every image a chart deploys must pass where the chart runs (digest-named) or be allowed by tag. */
  const checkChartImages = async (c: Check, found: ChartImages): Promise<{ reasons: string[]; warnings: string[]; images: ChartImageDecision[] }> => {
    const reasons = found.problems.slice(0, 10).map((p) => `chart: what it deploys cannot be fully determined: ${p}`);
    if (found.problems.length > 10) reasons.push(`chart: ${found.problems.length - 10} more problem(s) reading what it deploys`);
    if (found.images.length > MAX_CHART_IMAGES) {
      reasons.push(`chart: it deploys ${found.images.length} images, more than the ${MAX_CHART_IMAGES} the gate checks`);
      return { reasons, warnings: [], images: [] };
    }
    const warnings: string[] = [];
    const images: ChartImageDecision[] = [];
    for (const image of found.images) {
      const reference = imageReference(image);
      if (!image.digest) {
        const why = `named by tag, not digest (${image.foundAt}): a tag can be moved to other content, so the gate cannot tell what will run`;
        if (c.policy.chartImagesByTag === 'warn') warnings.push(`chart image ${reference}: ${why}`);
        images.push({ reference, foundAt: image.foundAt, allowed: c.policy.chartImagesByTag === 'warn', reasons: [why] });
        continue;
      }
      let result: { allowed: boolean; reasons: string[] };
      try {
        const r = await check({ ...c, spec: parseSource(reference), identities: [], chart: false });
        result = { allowed: r.reasons.length === 0, reasons: r.reasons };
      } catch (err) {
        // An image the gate cannot reach or read is not verified: a reason, never an allow.
        if (!(err instanceof Error)) throw err;
        result = { allowed: false, reasons: [`not verified: ${err.message}`] };
      }
      images.push({ reference, foundAt: image.foundAt, allowed: result.allowed, digest: image.digest, reasons: result.reasons });
    }
    for (const i of images) {
      if (i.allowed) continue;
      if (!i.digest) reasons.push(`chart image ${i.reference}: ${i.reasons[0]} (pin it by digest, or let the policy warn: charts.imagesByTag: warn)`);
      else for (const r of i.reasons.slice(0, 5)) reasons.push(`chart image ${i.reference}: ${r}`);
    }
    return { reasons, warnings, images };
  };

  return async (req: GateRequest, caller?: GateCaller, options: GateOptions = {}): Promise<GateDecision> => {
    if (!req || typeof req.reference !== 'string' || !req.reference) throw new BadInputError('gate: the request needs a "reference"');
    const spec = parseSource(req.reference);
    if (spec.scheme !== 'registry') throw new BadInputError(`gate: "${req.reference}" is not a registry reference`);
    if (req.environment !== undefined && typeof req.environment !== 'string') throw new BadInputError('gate: "environment" must be a name');
    const env = req.environment === undefined ? undefined : environmentNamed(deps.environments, req.environment);
    const { policy, source: policySource } = appliedPolicy(env ? gateBasePolicy(env.policy) : base, req.policy);
    const identities = requestedIdentities(req.identities, spec.location, allowedIdentities);
    const keys = await deps.keys();
    const checked = await check({ spec, identities, env, policy, options, keys, chart: true });
    const decision: GateDecision = {
      allowed: checked.reasons.length === 0,
      reference: req.reference,
      repository: checked.repository,
      digest: checked.digest,
      reasons: checked.reasons,
      checkedAt: deps.now().toISOString(),
      policy: policyToDocument(policy),
      policySource,
      ...(env ? { environment: env.name } : {}),
      ...(caller ? { caller: caller.identity } : {}),
      ...(checked.images ? { images: checked.images } : {}),
      ...(checked.warnings.length ? { warnings: checked.warnings } : {}),
    };
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
      ...(decision.images ? { images: decision.images.map((i) => ({ reference: i.reference, allowed: i.allowed })) } : {}),
      ...(decision.warnings ? { warnings: decision.warnings } : {}),
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
