/**
 * One batch of the weekly full re-scan (a child of the Distributed Map): the items are objects
 * of the evidence bucket's listing; the CycloneDX SBOMs among them name their artifacts
 * (`evidence/<host/repo>/sha256-<hex>/sbom/….cdx.json`), and each artifact is re-scanned whole
 * with the Scan step over the mirror, as a new scan entry (watch.ts `rescan`).
 */
import type { Alert, AlertSink } from '../../ports/alert-sink';
import type { ArtifactRef } from '../../ports/component-index';
import type { createWatch } from './watch';

export interface RescanBatchInput {
  /** Distributed Map batch: `Items` as the ItemReader lists them (S3 ListObjectsV2 keys). */
  readonly Items: readonly { readonly Key: string }[];
}

export interface RescanBatchResult {
  readonly items: number;
  readonly artifacts: number;
  readonly rescanned: number;
  readonly added: number;
  readonly alerts: number;
}

const SBOM_KEY = /^evidence\/(.+)\/(sha256-[0-9a-f]{64})\/sbom\/[^/]+\.cdx\.json$/;

/** The artifacts a listing batch's SBOM keys name, each once. */
export function artifactsOf(keys: readonly string[]): ArtifactRef[] {
  const out = new Map<string, ArtifactRef>();
  for (const key of keys) {
    const m = SBOM_KEY.exec(key);
    if (!m) continue;
    const ref = { repository: m[1] as string, digest: (m[2] as string).replace('-', ':') };
    out.set(`${ref.repository}@${ref.digest}`, ref);
  }
  return [...out.values()];
}

export function createRescanBatch(watch: ReturnType<typeof createWatch>, sink: AlertSink) {
  return async (input: RescanBatchInput): Promise<RescanBatchResult> => {
    const refs = artifactsOf((input.Items ?? []).map((i) => i.Key));
    let rescanned = 0;
    let added = 0;
    const alerts: Alert[] = [];
    for (const ref of refs) {
      const done = await watch.rescan(ref, 'rescan');
      if (!done) continue;
      rescanned += 1;
      added += done.added.length;
      if (done.alert) alerts.push(done.alert);
    }
    await sink.publish(alerts);
    return { items: input.Items?.length ?? 0, artifacts: refs.length, rescanned, added, alerts: alerts.length };
  };
}
