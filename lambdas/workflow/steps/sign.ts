import type { SourceSpec } from '../../oci/open-source';
import { parseSource } from '../../oci/open-source';
import type { ArtifactSource } from '../../oci/source';
import type { MetricsSink } from '../../ports/metrics';
import type { KeyedSigner } from '../../ports/signer';
import { signArtifact } from '../../signing/sign-artifact';
import type { WorkflowState } from '../state';
import { MetricName } from '../states';

export interface SignDeps {
  readonly openSource: (spec: SourceSpec) => Promise<ArtifactSource>;
  readonly signer: KeyedSigner;
  /** Sign even when the scan verdict is not a pass (a stack setting). */
  readonly signOnFindings: boolean;
  readonly metrics: MetricsSink;
  readonly now: () => Date;
}

/** Output of the Sign step, at `$.signing`. */
export interface SigningSummary {
  readonly signed: boolean;
  /** Why nothing was signed. */
  readonly reason?: string;
  readonly keyId?: string;
  readonly identity?: string;
  readonly time?: string;
  readonly signatures?: readonly { readonly digest: string; readonly tag: string; readonly outcome: string; readonly signatureManifest: string }[];
}

/**
 * Why the verdict does not allow signing: a failing scan, or a scan that could not run. A
 * `skipped` scan (nothing to scan: a Helm chart, another OCI artifact) does not block.
 */
function blockingVerdict(state: WorkflowState): string | undefined {
  const scan = state.scan;
  if (!scan) return 'there is no scan result';
  if (scan.verdict === 'pass' || scan.verdict === 'skipped') return undefined;
  return scan.verdict === 'fail' ? 'the scan found vulnerabilities at or above the threshold' : `the scan is incomplete (${scan.reason ?? 'no verified vulnerability data'})`;
}

/**
 * Sign: a cosign-compatible signature over the artifact (and each platform manifest of an
 * index) with the KMS key, when the scan verdict passes or the stack signs regardless.
 */
export function createSignStep(deps: SignDeps) {
  return async (state: WorkflowState): Promise<SigningSummary> => {
    const blocked = blockingVerdict(state);
    if (blocked && !deps.signOnFindings) return { signed: false, reason: `not signed: ${blocked}` };
    const source = await deps.openSource(parseSource(state.artifact.source));
    try {
      if (!source.writer) return { signed: false, reason: `not signed: ${source.scheme} sources are read-only` };
      const resolved = await source.resolve();
      if (resolved.digest !== state.artifact.digest) {
        // The tag moved between Resolve and Sign: never sign what was not scanned.
        return { signed: false, reason: `not signed: ${state.artifact.source} now resolves to ${resolved.digest}, not the processed ${state.artifact.digest}` };
      }
      const outcome = await signArtifact({ source, signer: deps.signer });
      const appended = outcome.targets.filter((t) => t.outcome === 'appended').length;
      if (appended) deps.metrics.count(MetricName.signaturesCreated, appended);
      return {
        signed: true,
        keyId: outcome.key.keyId,
        identity: outcome.identity,
        time: deps.now().toISOString(),
        signatures: outcome.targets.map((t) => ({ digest: t.digest, tag: t.tag, outcome: t.outcome, signatureManifest: t.signatureManifest })),
      };
    } finally {
      await source.close();
    }
  };
}
