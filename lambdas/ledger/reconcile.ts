import { errorMessage } from '../core/errors';
import { MetricName } from '../core/metric-names';
import type { ImageLister, RegistryImage } from '../ports/image-lister';
import type { MetricsSink } from '../ports/metrics';
import type { RecordStore } from '../ports/record-store';

export interface ReconcileDeps {
  readonly lister: ImageLister;
  readonly records: RecordStore;
  /** Starts the workflow for one image; 'exists' when a run of it was already started (same name). */
  readonly start: (image: RegistryImage) => Promise<'started' | 'exists'>;
  /** How many images are checked and started at once. */
  readonly concurrency: number;
  readonly metrics?: MetricsSink;
}

export interface ReconcileReport {
  readonly listed: number;
  readonly processed: number;
  /** Processed digests whose record holds an SBOM: with `listed - evidence`, the SBOM coverage of the repositories. */
  readonly withSbom: number;
  /** Evidence (`sha256-*` tags only): the evidence check's business, never processed. */
  readonly evidence: number;
  readonly started: readonly RegistryImage[];
  readonly alreadyStarted: readonly RegistryImage[];
  readonly failed: readonly { readonly image: RegistryImage; readonly error: string }[];
}

const isEvidenceTag = (tag: string) => tag.startsWith('sha256-');

/**
 * Nothing missed: every tagged digest of the repositories without a completed record (pushed
 * before the guard was deployed, or whose push event was lost) gets the workflow, at most
 * `concurrency` at a time. Idempotent with the event path: the workflow itself skips a digest
 * already processed, and its writes are conditional, so a digest reached both ways has one record set.
 */
export async function reconcile(deps: ReconcileDeps, repositories: readonly string[]): Promise<ReconcileReport> {
  if (!(deps.concurrency >= 1)) throw new Error('reconcile: concurrency must be at least 1');
  let listed = 0;
  let processed = 0;
  let withSbom = 0;
  let evidence = 0;
  const started: RegistryImage[] = [];
  const alreadyStarted: RegistryImage[] = [];
  const failed: { image: RegistryImage; error: string }[] = [];
  const running = new Set<Promise<void>>();
  const check = async (image: RegistryImage) => {
    try {
      if (await deps.records.isProcessed(image.repositoryName, image.digest)) {
        processed += 1;
        if ((await deps.records.getEvidence(image.repositoryName, image.digest)).sbom) withSbom += 1;
        return;
      }
      ((await deps.start(image)) === 'started' ? started : alreadyStarted).push(image);
    } catch (err) {
      failed.push({ image, error: errorMessage(err) });
    }
  };
  for (const repository of repositories) {
    for await (const image of deps.lister.list(repository)) {
      listed += 1;
      if (image.tags.length > 0 && image.tags.every(isEvidenceTag)) {
        evidence += 1;
        continue;
      }
      const p: Promise<void> = check({ ...image, tags: image.tags.filter((t) => !isEvidenceTag(t)) }).finally(() => running.delete(p));
      running.add(p);
      if (running.size >= deps.concurrency) await Promise.race(running);
    }
  }
  await Promise.all(running);
  deps.metrics?.count(MetricName.reconcileStarted, started.length);
  // SBOM coverage over everything the repositories hold (not only what the event path saw).
  deps.metrics?.count(MetricName.guardedArtifacts, listed - evidence);
  deps.metrics?.count(MetricName.guardedArtifactsWithSbom, withSbom);
  return { listed, processed, withSbom, evidence, started, alreadyStarted, failed };
}
