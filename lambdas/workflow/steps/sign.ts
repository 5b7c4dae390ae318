import { attestArtifact } from '../../attest/attest-artifact';
import { workflowStatements } from '../attestations';
import type { ScanEvidence, SbomEvidence } from '../attestations';
import { IntegrityError } from '../../core/errors';
import { readVerified } from '../../ports/write-once';
import { isInventoried, signableTargets } from '../../oci/artifact-plan';
import type { SourceSpec } from '../../oci/open-source';
import type { ArtifactSource } from '../../oci/source';
import type { BlobStore } from '../../ports/blob-store';
import type { MetricsSink } from '../../ports/metrics';
import type { KeyedSigner } from '../../ports/signer';
import { signArtifact } from '../../signing/sign-artifact';
import type { JsonValue } from '../../signing/strict-json';
import type { SigningTarget } from '../../signing/targets';
import type { SigningSummary, WorkflowState } from '../state';
import { MetricName } from '../../core/metric-names';
import { openPinned } from './pinned-source';
import { evidencePrefix } from '../evidence-keys';

export interface SignDeps {
  readonly openSource: (spec: SourceSpec) => Promise<ArtifactSource>;
  readonly signer: KeyedSigner;
  /** Sign even when the scan found vulnerabilities at or above the threshold (a stack setting); never when it is incomplete. */
  readonly signOnFindings: boolean;
  readonly metrics: MetricsSink;
  readonly now: () => Date;
  /** Where the SBOMs and scan reports are, and where Sigstore bundles go. */
  readonly evidence: BlobStore;
  /** Who records the provenance (`aws://<account>/<region>` in AWS). @default 'local' */
  readonly attestor?: string;
}

/**
 * Why the verdict does not allow signing. `incomplete` always blocks (a doubt is never signed);
 * `fail` blocks unless the stack signs regardless of findings; `skipped` is the operator's
 * opt-in for artifacts without an inventory.
 */
function blockingVerdict(state: WorkflowState, signOnFindings: boolean): string | undefined {
  const scan = state.scan;
  if (!scan) return 'there is no scan result';
  if (scan.verdict === 'pass' || scan.verdict === 'skipped') return undefined;
  if (scan.verdict === 'fail') {
    // signOnFindings accepts known findings, never a doubt: a failing scan with gaps stays unsigned.
    if (scan.gapsTotal > 0) return `the scan found vulnerabilities at or above the threshold and is incomplete (${scan.gaps[0] ?? 'gaps'})`;
    return signOnFindings ? undefined : 'the scan found vulnerabilities at or above the threshold';
  }
  return `the scan is incomplete (${scan.reason ?? 'not everything was inventoried and scanned'})`;
}

/** The manifests evidence goes to, platforms before their index (attestation manifests excluded). */
function targetsOf(state: WorkflowState): SigningTarget[] {
  return signableTargets(state.artifact.targets).map((t) => ({ digest: t.digest, mediaType: t.mediaType, size: t.size, ...(t.platform ? { platform: t.platform } : {}) }));
}

/**
 * Before signing: the targets are exactly what the earlier steps inventoried and scanned. Every
 * image, chart and artifact has an SBOM and a report with the verdict being signed for; nothing uninventoried is
 * signed unless the operator accepted it. A mismatch is a bug or a forged state: never signed.
 */
function assertScanned(state: WorkflowState): void {
  const sboms = new Set((state.sbom?.documents ?? []).map((d) => d.manifestDigest));
  const reports = new Map((state.scan?.reports ?? []).map((r) => [r.manifestDigest, r.verdict]));
  for (const t of signableTargets(state.artifact.targets)) {
    const inventoried = isInventoried(t.role);
    // A `skipped` verdict (the operator's opt-in) may come without scan reports: nothing could be matched.
    if (inventoried && (!sboms.has(t.digest) || (!reports.has(t.digest) && state.scan?.verdict !== 'skipped'))) throw new IntegrityError(`sign: ${t.digest} is to be signed but has no ${sboms.has(t.digest) ? 'scan report' : 'SBOM'}`);
    if (inventoried && state.scan?.verdict === 'pass' && reports.get(t.digest) !== 'pass') throw new IntegrityError(`sign: the verdict is pass but ${t.digest}'s report says ${reports.get(t.digest)}`);
    if (t.role === 'uninventoried' && state.scan?.verdict !== 'skipped') throw new IntegrityError(`sign: ${t.digest} was not inventoried`);
  }
}

/** The SBOMs and scan reports the earlier steps stored, per manifest, checked against the state's SHA-256. */
async function evidenceOf(state: WorkflowState, store: BlobStore): Promise<{ sboms: SbomEvidence[]; scans: ScanEvidence[] }> {
  const sboms: SbomEvidence[] = [];
  for (const d of state.sbom?.documents ?? []) sboms.push({ manifestDigest: d.manifestDigest, cyclonedx: await readVerified(store, d.cyclonedx) });
  const scans: ScanEvidence[] = [];
  for (const r of state.scan?.reports ?? []) {
    const report = JSON.parse((await readVerified(store, r)).toString('utf8')) as JsonValue & { generatedAt?: string };
    const at = typeof report.generatedAt === 'string' ? report.generatedAt : new Date().toISOString();
    scans.push({ manifestDigest: r.manifestDigest, report, startedOn: at, finishedOn: at, ...(state.scan?.data ? { db: { uri: state.scan.data.source, version: state.scan.data.newestModified ?? '' } } : {}) });
  }
  return { sboms, scans };
}

/**
 * Sign: attaches the attestations (SLSA provenance, CycloneDX SBOM, vulnerability scan) as DSSE
 * in `.att` and Sigstore bundles whatever the verdict, then, when the verdict allows it, a
 * cosign-compatible signature over exactly the manifests that were scanned (platforms first, then
 * the index), and only then cosign v3's signature bundles. Interrupted anywhere, it leaves no
 * approval without its `.sig` and no signed index without signed platforms; run again, it reuses
 * what is there (same statements, same signatures) and adds the rest. The source is the one
 * Resolve pinned; a root that changed fails the run.
 */
export function createSignStep(deps: SignDeps) {
  return async (state: WorkflowState): Promise<SigningSummary> => {
    const blocked = blockingVerdict(state, deps.signOnFindings);
    const { source, root } = await openPinned(deps.openSource, state.artifact);
    try {
      if (!source.writer) return { signed: false, reason: `not signed: ${source.scheme} sources are read-only`, attestations: [] };
      const targets = targetsOf(state);
      // Before anything that approves (the cosign-sign bundle, the signature) is written.
      if (!blocked) assertScanned(state);
      const { sboms, scans } = await evidenceOf(state, deps.evidence);
      const attest = (statements: ReturnType<typeof workflowStatements>, signatureBundle: boolean) =>
        attestArtifact({
          source,
          signer: deps.signer,
          root,
          targets,
          statements,
          bundles: deps.evidence,
          bundleKeyPrefix: `${evidencePrefix(state.artifact.repositoryName, state.artifact.digest)}/bundles`,
          signatureBundle,
        });
      const summarize = (attested: Awaited<ReturnType<typeof attest>>) =>
        attested.attestations.map((x) => ({
          type: x.type,
          digest: x.digest,
          ...(x.att ? { layer: x.att.layerDigest } : {}),
          bundle: x.bundle.key,
          referrer: x.referrer.mode === 'skipped' ? `skipped: ${x.referrer.reason}` : `${x.referrer.mode} ${x.referrer.digest}`,
        }));
      const attestations = summarize(await attest(workflowStatements({ artifact: state.artifact, sboms, scans, attestor: deps.attestor ?? 'local' }), false));
      if (blocked) return { signed: false, reason: `not signed: ${blocked}`, attestations };
      const outcome = await signArtifact({ source, signer: deps.signer, root, targets });
      const appended = outcome.targets.filter((t) => t.outcome === 'appended').length;
      if (appended) deps.metrics.count(MetricName.signaturesCreated, appended);
      // cosign v3's signature bundle approves as the .sig does: attached only once every .sig is written.
      const approvals = summarize(await attest([], true));
      return {
        signed: true,
        keyId: outcome.key.keyId,
        identity: outcome.identity,
        time: deps.now().toISOString(),
        signatures: outcome.targets.map((t) => ({ digest: t.digest, tag: t.tag, outcome: t.outcome, signatureManifest: t.signatureManifest })),
        attestations: [...attestations, ...approvals],
      };
    } finally {
      await source.close();
    }
  };
}
