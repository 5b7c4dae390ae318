import { attestArtifact } from '../../attest/attest-artifact';
import { IntegrityError } from '../../core/errors';
import { MetricName } from '../../core/metric-names';
import type { SourceSpec } from '../../oci/open-source';
import type { ArtifactSource } from '../../oci/source';
import type { BlobStore } from '../../ports/blob-store';
import type { MetricsSink } from '../../ports/metrics';
import { PresignedSigner } from '../../signing/presigned';
import { signArtifact } from '../../signing/sign-artifact';
import { evidencePrefix } from '../evidence-keys';
import { statementsOf, targetsOf } from '../signing-plan';
import type { SigningSummary, WorkflowState } from '../state';
import { openPinned } from './pinned-source';

export interface AttachDeps {
  readonly openSource: (spec: SourceSpec) => Promise<ArtifactSource>;
  readonly metrics: MetricsSink;
  /** Where the SBOMs and scan reports are, and where Sigstore bundles go. */
  readonly evidence: BlobStore;
  /** Who records the provenance; the Sign step's setting. @default 'local' */
  readonly attestor?: string;
}

/**
 * Attach: publishes what the Sign step signed, holding no key. The attestations (SLSA provenance,
 * CycloneDX SBOM, vulnerability scan) go to `.att` and Sigstore bundles whatever the verdict; when
 * the Sign step approved, the cosign signatures over exactly the scanned manifests (platforms
 * first, then the index) and only then cosign v3's signature bundles. Interrupted anywhere, it
 * leaves no approval without its `.sig` and no signed index without signed platforms; run again,
 * it reuses what is there (same statements, same signatures) and adds the rest. The source is the
 * one Resolve pinned; a root that changed fails the run.
 */
export function createAttachStep(deps: AttachDeps) {
  return async (state: WorkflowState): Promise<SigningSummary> => {
    const signed = state.signatures;
    if (!signed) throw new IntegrityError('attach: the Sign step left no signatures in the state');
    if (signed.identity !== state.artifact.repositoryName) throw new IntegrityError(`attach: signed for ${signed.identity}, not ${state.artifact.repositoryName}`);
    const signer = new PresignedSigner(signed);
    const { source, root } = await openPinned(deps.openSource, state.artifact);
    try {
      if (!source.writer) return { signed: false, reason: `not signed: ${source.scheme} sources are read-only`, attestations: [] };
      const targets = targetsOf(state);
      const statements = await statementsOf(state, deps.evidence, deps.attestor);
      const attest = (specs: typeof statements, signatureBundle: boolean) =>
        attestArtifact({
          source,
          signer,
          identity: signed.identity,
          root,
          targets,
          statements: specs,
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
      const attestations = summarize(await attest(statements, false));
      if (!signed.approved) return { signed: false, reason: signed.reason ?? 'not signed: the Sign step did not approve', attestations };
      const outcome = await signArtifact({ source, signer, identity: signed.identity, root, targets });
      const appended = outcome.targets.filter((t) => t.outcome === 'appended').length;
      if (appended) deps.metrics.count(MetricName.signaturesCreated, appended);
      // cosign v3's signature bundle approves as the .sig does: attached only once every .sig is written.
      const approvals = summarize(await attest([], true));
      return {
        signed: true,
        keyId: outcome.key.keyId,
        identity: outcome.identity,
        time: signed.time,
        signatures: outcome.targets.map((t) => ({ digest: t.digest, tag: t.tag, outcome: t.outcome, signatureManifest: t.signatureManifest })),
        attestations: [...attestations, ...approvals],
      };
    } finally {
      await source.close();
    }
  };
}
