import type { JsonObject, JsonValue } from '../../signing/strict-json';
import { TOOL } from '../../sbom/writers/subject';
import { reportSources } from '../scan-report';

/**
 * cosign's vulnerability predicate (`https://cosign.sigstore.dev/attestation/vuln/v1`,
 * cosign specs/COSIGN_VULN_ATTESTATION_SPEC.md): the literal keys `builder.id` and `event_id`
 * are cosign's. `scanner.result` is the scanner's own report, carried as opaque JSON; the
 * policy reads only the parts described in `scan-report.ts`. `scanner.sources` (ours) lists every
 * scanner the result rests on, with its version, data time and scan time: our own scan, and each
 * second opinion merged into it, so a verifier can require "scanned by ours and Inspector within
 * 7 days" (policy `vulnerabilities.requireSources`) without reading the report.
 */
export interface VulnPredicateInput {
  /** The scan report (JSON), as the scan step or `artifact-guard scan -o json` wrote it. */
  readonly report: JsonValue;
  readonly scanStartedOn: string;
  readonly scanFinishedOn: string;
  /** The vulnerability database: e.g. `{ uri: 'https://api.osv.dev', version: '2026-07-01T00:00:00Z' }`. */
  readonly db?: { readonly uri?: string; readonly version?: string };
  readonly scanner?: { readonly uri?: string; readonly version?: string };
  /** The workflow trigger (EventBridge event id) that ran the scan. */
  readonly eventId?: string;
  /** Who ran the scan; default the Artifact Guard scanner URI. */
  readonly builderId?: string;
}

export const SCANNER_URI = `pkg:npm/${TOOL.name}@${TOOL.version}`;

export function vulnPredicate(input: VulnPredicateInput): JsonObject {
  const scannerUri = input.scanner?.uri ?? SCANNER_URI;
  return {
    invocation: { parameters: [], uri: '', event_id: input.eventId ?? '', 'builder.id': input.builderId ?? scannerUri },
    scanner: {
      uri: scannerUri,
      version: input.scanner?.version ?? TOOL.version,
      db: { uri: input.db?.uri ?? '', version: input.db?.version ?? '' },
      sources: reportSources(input.report) as unknown as JsonValue,
      result: input.report,
    },
    metadata: { scanStartedOn: input.scanStartedOn, scanFinishedOn: input.scanFinishedOn },
  };
}
