import type { SourceSpec } from '../oci/open-source';
import type { ArtifactSource } from '../oci/source';
import type { AlertSink } from '../ports/alert-sink';
import type { BlobStore } from '../ports/blob-store';
import type { ComponentIndex } from '../ports/component-index';
import type { MetricsSink } from '../ports/metrics';
import type { Progress } from '../ports/progress';
import type { RecordStore } from '../ports/record-store';
import type { LedgerStore } from '../ports/ledger-store';
import type { TagPolicy } from '../ledger/tag-policy';
import type { KeyedSigner } from '../ports/signer';
import type { LayerCache } from '../sbom/layers/cache';
import type { Severity } from '../vuln/severity';
import type { VulnerabilitySource } from '../vuln/vulnerability-source';
import type { OpinionSource } from '../vuln/imports/opinion-source';
import type { StepName } from './step-registry';
import { createNotifyStep } from './steps/notify';
import { createRecordStep } from './steps/record';
import { createResolveStep } from './steps/resolve';
import { createSbomStep } from './steps/sbom';
import { createScanStep } from './steps/scan';
import { createSignStep } from './steps/sign';
import { createAttachStep } from './steps/attach';

/**
 * Everything a step may need. The handlers supply AWS adapters and the local runner local ones;
 * a handler's environment builds each member on first use, so a Lambda creates only what its
 * own step reads (the SBOM Lambda never builds a KMS signer).
 */
export interface StepEnvironment {
  readonly openSource: (spec: SourceSpec) => Promise<ArtifactSource>;
  readonly records: RecordStore;
  /** The provenance ledger (tag history, builds and pushers by digest); the same table as `records`. */
  readonly ledger?: LedgerStore;
  /** Tags a push may use (ledger/tag-policy.ts); undefined: any. */
  readonly tagPolicy?: TagPolicy;
  readonly evidence: BlobStore;
  readonly layerCache: LayerCache;
  /** Undefined when no vulnerability data is configured: scans are then `incomplete`. */
  readonly vulnerabilities: VulnerabilitySource | undefined;
  /** Second opinions the scan merges (Amazon Inspector, imported reports). @default none */
  readonly opinions?: readonly OpinionSource[];
  readonly threshold: Severity;
  readonly unknownSeverity: 'fail' | 'warn';
  readonly acceptUninventoried: boolean;
  readonly signer: KeyedSigner;
  readonly signOnFindings: boolean;
  /** Who records the provenance. @default 'local' */
  readonly attestor?: string;
  readonly alerts: AlertSink;
  readonly metrics: MetricsSink;
  readonly now: () => Date;
  /** The component index the Record step fills (the vulnerability watch reads it); none: not indexed. */
  readonly componentIndex?: ComponentIndex;
  /** Where long work reports its progress (the CLI's display locally; none in AWS). */
  readonly progress?: Progress;
  /** How long the processing lease lasts. @default PROCESSING_LEASE_SECONDS */
  readonly leaseSeconds?: number;
}

/** One factory per registered step: the only place a step's dependencies are chosen. */
export const STEP_FACTORIES = {
  resolve: (e: StepEnvironment) => createResolveStep({ openSource: e.openSource, records: e.records, now: e.now, ...(e.leaseSeconds !== undefined ? { leaseSeconds: e.leaseSeconds } : {}) }),
  sbom: (e: StepEnvironment) => createSbomStep({ openSource: e.openSource, evidence: e.evidence, cache: e.layerCache, metrics: e.metrics, now: e.now, ...(e.progress ? { progress: e.progress } : {}) }),
  scan: (e: StepEnvironment) =>
    createScanStep({
      source: e.vulnerabilities,
      evidence: e.evidence,
      threshold: e.threshold,
      unknownSeverity: e.unknownSeverity,
      acceptUninventoried: e.acceptUninventoried,
      metrics: e.metrics,
      now: e.now,
      ...(e.opinions?.length ? { opinions: e.opinions } : {}),
    }),
  sign: (e: StepEnvironment) => createSignStep({ signer: e.signer, signOnFindings: e.signOnFindings, evidence: e.evidence, now: e.now, ...(e.attestor ? { attestor: e.attestor } : {}) }),
  attach: (e: StepEnvironment) => createAttachStep({ openSource: e.openSource, evidence: e.evidence, metrics: e.metrics, ...(e.attestor ? { attestor: e.attestor } : {}) }),
  record: (e: StepEnvironment) =>
    createRecordStep({
      records: e.records,
      now: e.now,
      metrics: e.metrics,
      ...(e.ledger ? { ledger: e.ledger } : {}),
      ...(e.tagPolicy ? { tagPolicy: e.tagPolicy } : {}),
      ...(e.componentIndex ? { index: { components: e.componentIndex, evidence: e.evidence } } : {}),
    }),
  notify: (e: StepEnvironment) => createNotifyStep({ alerts: e.alerts, metrics: e.metrics, records: e.records, now: e.now }),
} as const satisfies { readonly [N in StepName]: (e: StepEnvironment) => (input: never) => Promise<unknown> };

/**
 * An environment whose members are built on first use and then kept (a Lambda container serves
 * many invocations with one set of clients).
 */
export function lazyEnvironment<T extends object>(builders: { readonly [K in keyof T]: () => T[K] }): T {
  const out = {} as T;
  for (const key of Object.keys(builders) as (keyof T)[]) {
    let built = false;
    let value: T[typeof key];
    Object.defineProperty(out, key, {
      enumerable: true,
      get: () => {
        if (!built) {
          value = builders[key]();
          built = true;
        }
        return value;
      },
    });
  }
  return out;
}
