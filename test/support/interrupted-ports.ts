import type { ArtifactSource, ArtifactWriter } from '../../lambdas/oci/source';
import type { AlertSink } from '../../lambdas/ports/alert-sink';
import type { BlobStore } from '../../lambdas/ports/blob-store';
import type { RecordStore } from '../../lambdas/ports/record-store';
import type { StepEnvironment } from '../../lambdas/workflow/step-factories';

/** What a crashed process leaves undone: thrown by every side effect after the interruption point. */
export class Interrupted extends Error {
  override readonly name = 'Interrupted';
}

/**
 * Counts the workflow's side effects (record writes, evidence writes, registry pushes, alerts)
 * in the order they happen and, with `limit` N, lets the first N happen and fails every later
 * one: the state after a crash right after side effect N. Reads are never interrupted.
 */
export class SideEffects {
  readonly log: string[] = [];

  constructor(readonly limit = Infinity) {}

  async run<T>(name: string, effect: () => Promise<T>): Promise<T> {
    if (this.log.length >= this.limit) throw new Interrupted(`interrupted before ${name}`);
    const out = await effect();
    this.log.push(name);
    return out;
  }

  /** The steps' environment with every side effect going through `run`. */
  wrap(env: StepEnvironment): StepEnvironment {
    return { ...env, records: this.records(env.records), evidence: this.blobs(env.evidence), alerts: this.alerts(env.alerts), openSource: async (spec) => this.source(await env.openSource(spec)) };
  }

  private records(r: RecordStore): RecordStore {
    return {
      getArtifact: (...a) => r.getArtifact(...a),
      isProcessed: (...a) => r.isProcessed(...a),
      getEvidence: (...a) => r.getEvidence(...a),
      listEvents: (...a) => r.listEvents(...a),
      putArtifact: (...a) => this.run('record ARTIFACT', () => r.putArtifact(...a)),
      claimTag: (...a) => this.run(`record TAG ${a[1]}`, () => r.claimTag(...a)),
      putEvidence: (...a) => this.run(`record EVIDENCE#${a[2]}`, () => r.putEvidence(...a)),
      appendEvent: (...a) => this.run(`record EVENT ${a[2].type}`, () => r.appendEvent(...a)),
      markProcessed: (...a) => this.run('record PROCESSED', () => r.markProcessed(...a)),
      acquireLease: (...a) => this.run('record PROCESSING (lease)', () => r.acquireLease(...a)),
      releaseLease: (...a) => this.run('record lease released', () => r.releaseLease(...a)),
    };
  }

  private blobs(b: BlobStore): BlobStore {
    return {
      put: (...a) => this.run(`blob ${a[0]}`, () => b.put(...a)),
      putIfAbsent: (...a) => this.run(`blob ${a[0]}`, () => b.putIfAbsent(...a)),
      get: (key) => b.get(key),
      location: (key) => b.location(key),
    };
  }

  private alerts(s: AlertSink): AlertSink {
    return { publish: (alerts) => (alerts.length ? this.run(`alerts ${alerts.map((x) => x.type).join(', ')}`, () => s.publish(alerts)) : s.publish(alerts)) };
  }

  private source(source: ArtifactSource): ArtifactSource {
    const w = source.writer;
    if (!w) return source;
    const referrers = w.referrers?.bind(w);
    const writer: ArtifactWriter = {
      repositoryName: w.repositoryName,
      manifestByTag: (tag) => w.manifestByTag(tag),
      pushBlob: (bytes) => this.run('registry blob', () => w.pushBlob(bytes)),
      putManifest: (tag, bytes, mediaType) => this.run(`registry manifest ${describeManifest(tag, bytes)}`, () => w.putManifest(tag, bytes, mediaType)),
      ...(referrers ? { referrers } : {}),
    };
    return new Proxy(source, {
      get(target, prop) {
        if (prop === 'writer') return writer;
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }
}

/** `sha256-<hex>.sig`, or `referrer <predicateType> of <subject>` for an untagged bundle referrer. */
function describeManifest(tag: string, bytes: Buffer): string {
  if (!tag.startsWith('sha256:')) return tag;
  const doc = JSON.parse(bytes.toString('utf8')) as { subject?: { digest?: string }; annotations?: Record<string, string> };
  return `referrer ${doc.annotations?.['dev.sigstore.bundle.predicateType'] ?? '?'} of ${doc.subject?.digest ?? '?'}`;
}
