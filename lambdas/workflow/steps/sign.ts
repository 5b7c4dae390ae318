import { attestArtifact } from '../../attest/attest-artifact';
import { workflowStatements } from '../../attest/workflow-statements';
import type { ScanEvidence, SbomEvidence } from '../../attest/workflow-statements';
import { NotFoundError } from '../../core/errors';
import type { SourceSpec } from '../../oci/open-source';
import { parseSource } from '../../oci/open-source';
import { parseReference } from '../../oci/reference';
import type { ArtifactSource } from '../../oci/source';
import type { BlobStore } from '../../ports/blob-store';
import type { MetricsSink } from '../../ports/metrics';
import type { KeyedSigner } from '../../ports/signer';
import { signArtifact } from '../../signing/sign-artifact';
import type { JsonValue } from '../../signing/strict-json';
import type { WorkflowState } from '../state';
import { MetricName } from '../states';
import { evidencePrefix } from './sbom';

export interface SignDeps {
  readonly openSource: (spec: SourceSpec) => Promise<ArtifactSource>;
  readonly signer: KeyedSigner;
  /** Sign even when the scan verdict is not a pass (a stack setting). */
  readonly signOnFindings: boolean;
  readonly metrics: MetricsSink;
  readonly now: () => Date;
  /** Where the SBOMs and scan reports are, and where Sigstore bundles go. */
  readonly evidence: BlobStore;
  /** Who records the provenance (`aws://<account>/<region>` in AWS). @default 'local' */
  readonly attestor?: string;
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
  /** Attestations attached whatever the verdict: provenance, SBOM and scan, per manifest. */
  readonly attestations: readonly { readonly type: string; readonly digest: string; readonly layer?: string; readonly bundle: string; readonly referrer: string }[];
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
/** The registry source by digest, so that what is attested is what was scanned even if the tag moves. */
function pinnedSource(state: WorkflowState): SourceSpec {
  const spec = parseSource(state.artifact.source);
  if (spec.scheme !== 'registry') return spec;
  const ref = parseReference(spec.location);
  return { scheme: 'registry', location: `${ref.registry}/${ref.repository}@${state.artifact.digest}` };
}

async function readJson(store: BlobStore, key: string): Promise<Buffer> {
  const body = await store.get(key);
  if (!body) throw new NotFoundError(`sign: evidence ${key} is missing from the evidence store`);
  return body;
}

/** The SBOMs and scan reports the earlier steps stored, per manifest. */
async function evidenceOf(state: WorkflowState, store: BlobStore): Promise<{ sboms: SbomEvidence[]; scans: ScanEvidence[] }> {
  const sboms: SbomEvidence[] = [];
  for (const d of state.sbom?.documents ?? []) sboms.push({ manifestDigest: d.manifestDigest, cyclonedx: await readJson(store, d.cyclonedx.key) });
  const scans: ScanEvidence[] = [];
  for (const r of state.scan?.reports ?? []) {
    const report = JSON.parse((await readJson(store, r.key)).toString('utf8')) as JsonValue & { generatedAt?: string };
    const at = typeof report.generatedAt === 'string' ? report.generatedAt : new Date().toISOString();
    scans.push({ manifestDigest: r.manifestDigest, report, startedOn: at, finishedOn: at, ...(state.scan?.data ? { db: { uri: state.scan.data.source, version: state.scan.data.newestModified ?? '' } } : {}) });
  }
  return { sboms, scans };
}

/**
 * Sign: attaches the attestations (SLSA provenance, CycloneDX SBOM, vulnerability scan) as DSSE
 * in `.att` and Sigstore bundles whatever the verdict, then a cosign-compatible signature over
 * the artifact (and each platform manifest of an index) when the scan verdict passes or the
 * stack signs regardless.
 */
export function createSignStep(deps: SignDeps) {
  return async (state: WorkflowState): Promise<SigningSummary> => {
    const blocked = blockingVerdict(state);
    const source = await deps.openSource(pinnedSource(state));
    try {
      if (!source.writer) return { signed: false, reason: `not signed: ${source.scheme} sources are read-only`, attestations: [] };
      const resolved = await source.resolve();
      if (resolved.digest !== state.artifact.digest) {
        // The tag moved between Resolve and Sign: never sign what was not scanned.
        return { signed: false, reason: `not signed: ${state.artifact.source} now resolves to ${resolved.digest}, not the processed ${state.artifact.digest}`, attestations: [] };
      }
      const willSign = !blocked || deps.signOnFindings;
      const { sboms, scans } = await evidenceOf(state, deps.evidence);
      const attested = await attestArtifact({
        source,
        signer: deps.signer,
        statements: workflowStatements({ artifact: state.artifact, sboms, scans, attestor: deps.attestor ?? 'local' }),
        bundles: deps.evidence,
        bundleKeyPrefix: `${evidencePrefix(state.artifact.repositoryName, state.artifact.digest)}/bundles`,
        signatureBundle: willSign,
      });
      const attestations = attested.attestations.map((x) => ({
        type: x.type,
        digest: x.digest,
        ...(x.att ? { layer: x.att.layerDigest } : {}),
        bundle: x.bundle.key,
        referrer: x.referrer.mode === 'skipped' ? `skipped: ${x.referrer.reason}` : `${x.referrer.mode} ${x.referrer.digest}`,
      }));
      if (!willSign) return { signed: false, reason: `not signed: ${blocked}`, attestations };
      const outcome = await signArtifact({ source, signer: deps.signer });
      const appended = outcome.targets.filter((t) => t.outcome === 'appended').length;
      if (appended) deps.metrics.count(MetricName.signaturesCreated, appended);
      return {
        signed: true,
        keyId: outcome.key.keyId,
        identity: outcome.identity,
        time: deps.now().toISOString(),
        signatures: outcome.targets.map((t) => ({ digest: t.digest, tag: t.tag, outcome: t.outcome, signatureManifest: t.signatureManifest })),
        attestations,
      };
    } finally {
      await source.close();
    }
  };
}
