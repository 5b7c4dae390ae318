import { DynamoDbComponentIndex } from '../../../lambdas/adapters/aws/dynamodb-component-index';
import { DynamoDbRecordStore } from '../../../lambdas/adapters/aws/dynamodb-record-store';
import { DynamoDbScanHistory } from '../../../lambdas/adapters/aws/dynamodb-scan-history';
import type { LocalDynamo } from '../../../lambdas/local/dynalite-server';
import { startLocalDynamo } from '../../../lambdas/local/dynalite-server';
import type { BlobStore } from '../../../lambdas/ports/blob-store';
import { InMemoryMetrics } from '../../../lambdas/ports/metrics';
import { writeOnce } from '../../../lambdas/ports/write-once';
import type { VulnerabilitySource } from '../../../lambdas/vuln/vulnerability-source';
import type { SbomSummary } from '../../../lambdas/workflow/state';
import { createRecordStep } from '../../../lambdas/workflow/steps/record';
import { createScanStep } from '../../../lambdas/workflow/steps/scan';
import { MemoryBlobStore } from '../../support/memory-blob-store';
import { artifact } from '../workflow/states';

export const REPO = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/api';
export const digestOf = (n: number): string => `sha256:${n.toString(16).padStart(2, '0').repeat(32)}`;

export interface Component {
  readonly purl: string;
  readonly layer?: string;
}

/** A CycloneDX document as the SBOM step writes one (purls, versions, the layer property). */
export function cyclonedx(components: readonly Component[]): Record<string, unknown> {
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    version: 1,
    metadata: { component: { type: 'container', 'bom-ref': 'root', name: 'app' } },
    components: components.map((c, i) => {
      const version = /@([^?#]+)/.exec(c.purl.slice(c.purl.lastIndexOf('/')))?.[1];
      return {
        type: 'library',
        'bom-ref': `c${i}`,
        name: decodeURIComponent(c.purl.replace(/[?#].*$/, '').split('/').pop()?.split('@')[0] ?? c.purl),
        ...(version ? { version: decodeURIComponent(version) } : {}),
        purl: c.purl,
        ...(c.layer ? { properties: [{ name: 'artifact-guard:layer:introduced', value: c.layer }] } : {}),
      };
    }),
  };
}

/** The local stores the workflow and the watch share: dynalite (records table) and an evidence store. */
export async function stores(evidence: BlobStore = new MemoryBlobStore()) {
  const dynamo: LocalDynamo = await startLocalDynamo();
  return {
    dynamo,
    records: new DynamoDbRecordStore(dynamo.client, dynamo.tableName),
    index: new DynamoDbComponentIndex(dynamo.client, dynamo.tableName),
    scans: new DynamoDbScanHistory(dynamo.client, dynamo.tableName),
    evidence,
  };
}
export type Stores = Awaited<ReturnType<typeof stores>>;

/**
 * An artifact pushed and processed: its SBOM stored, then the real Scan and Record steps (the
 * Record step indexes its components).
 */
export async function processArtifact(s: Stores, opts: { digest: string; tag?: string; components: readonly Component[]; source: VulnerabilitySource | undefined; at: Date; threshold?: 'low' | 'high' }) {
  const key = `evidence/${REPO}/${opts.digest.replace(':', '-')}/sbom/${opts.digest.replace(':', '-')}.cdx.json`;
  const cdx = await writeOnce(s.evidence, key, Buffer.from(JSON.stringify(cyclonedx(opts.components))), 'application/json');
  const sbom: SbomSummary = {
    documents: [{ manifestDigest: opts.digest, components: opts.components.length, byType: { library: opts.components.length }, warnings: 0, gaps: 0, gapLines: [], cyclonedx: cdx, spdx: cdx }],
    components: opts.components.length,
    uninventoried: [],
  };
  const a = artifact({ digest: opts.digest, tag: opts.tag, source: `registry:${REPO}@${opts.digest}`, trigger: { type: 'ecr-push', id: `evt-${opts.digest}`, time: opts.at.toISOString() } });
  const metrics = new InMemoryMetrics();
  const scan = await createScanStep({ source: opts.source, evidence: s.evidence, threshold: opts.threshold ?? 'low', metrics, now: () => opts.at })({ artifact: a, sbom });
  await createRecordStep({ records: s.records, metrics, now: () => opts.at, index: { components: s.index, evidence: s.evidence } })({ artifact: a, sbom, scan });
  return { sbom, scan };
}
