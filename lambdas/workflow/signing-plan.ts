import { IntegrityError } from '../core/errors';
import { isInventoried, signableTargets } from '../oci/artifact-plan';
import type { BlobStore } from '../ports/blob-store';
import { readVerified } from '../ports/write-once';
import type { StatementSpec } from '../attest/attest-artifact';
import type { JsonValue } from '../signing/strict-json';
import type { SigningTarget } from '../signing/targets';
import { workflowStatements } from './attestations';
import type { ScanEvidence, SbomEvidence } from './attestations';
import type { WorkflowState } from './state';

/**
 * What the Sign step (which holds the key) and the Attach step (which publishes) both derive from
 * the execution state: the manifests, the statements and whether the verdict approves. Each step
 * computes them itself, so the publisher cannot ask for more than the signer approved.
 */

/**
 * Why the verdict does not allow signing. `incomplete` always blocks (a doubt is never signed);
 * `fail` blocks unless the stack signs regardless of findings; `skipped` is the operator's
 * opt-in for artifacts without an inventory.
 */
export function blockingVerdict(state: WorkflowState, signOnFindings: boolean): string | undefined {
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
export function targetsOf(state: WorkflowState): SigningTarget[] {
  return signableTargets(state.artifact.targets).map((t) => ({ digest: t.digest, mediaType: t.mediaType, size: t.size, ...(t.platform ? { platform: t.platform } : {}) }));
}

/**
 * Before approving: the targets are exactly what the earlier steps inventoried and scanned. Every
 * image, chart and artifact has an SBOM and a report with the verdict being signed for; nothing
 * uninventoried is signed unless the operator accepted it. A mismatch is a bug or a forged state:
 * never signed.
 */
export function assertScanned(state: WorkflowState): void {
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
    const report = JSON.parse((await readVerified(store, r)).toString('utf8')) as JsonValue & { generatedAt?: unknown };
    // The statement must come out byte-identical in the Sign and the Attach steps: no clock here.
    if (typeof report.generatedAt !== 'string') throw new IntegrityError(`the scan report ${r.key} has no generatedAt`);
    const at = report.generatedAt;
    scans.push({ manifestDigest: r.manifestDigest, report, startedOn: at, finishedOn: at, ...(state.scan?.data ? { db: { uri: state.scan.data.source, version: state.scan.data.newestModified ?? '' } } : {}) });
  }
  return { sboms, scans };
}

/** The statements attested for the artifact (SLSA provenance, SBOMs, scan reports), built from the stored evidence. */
export async function statementsOf(state: WorkflowState, evidence: BlobStore, attestor: string | undefined): Promise<StatementSpec[]> {
  const { sboms, scans } = await evidenceOf(state, evidence);
  return workflowStatements({ artifact: state.artifact, sboms, scans, attestor: attestor ?? 'local' });
}
