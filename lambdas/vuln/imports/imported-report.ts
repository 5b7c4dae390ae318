/**
 * A second opinion: another scanner's findings for the same artifact (Trivy, Grype, Clair, a
 * CycloneDX vulnerability or VEX document, Amazon Inspector), read into one shape so that they
 * can be matched to our components and merged with our findings (merge.ts). Each parser keeps
 * what the tool said: its own id and aliases, its severity and the vendors' severities, its fix
 * versions, and whether it says the package is affected or rules the vulnerability out.
 */
import type { Severity } from '../severity';

/**
 * What the source says about the package: `affected` (including "fixed in a later version",
 * "will not fix", "fix deferred"), or it rules the vulnerability out (`not_affected`: a VEX
 * statement or vendor status; `resolved`: remediated), or it does not know yet.
 */
export type OpinionStatus = 'affected' | 'not_affected' | 'resolved' | 'under_investigation';

export const RULES_OUT: ReadonlySet<OpinionStatus> = new Set(['not_affected', 'resolved']);

export interface OpinionPackage {
  /** As the report writes it (qualifiers and case are normalised only when matching). */
  readonly purl?: string;
  readonly name: string;
  readonly version: string;
  /** The purl type the package would have (`deb`, `apk`, `npm`, …), when the report says. */
  readonly type?: string;
  /** The source package (Debian, Alpine origin), when the report names it. */
  readonly source?: string;
  /** A CycloneDX document's bom-ref for it (matched against our components' bom-refs too). */
  readonly ref?: string;
}

export interface VendorSeverity {
  /** Whose rating: `nvd`, `redhat`, `debian`, `ghsa`, … as the report names them. */
  readonly source: string;
  readonly severity: Severity;
}

export interface OpinionFinding {
  /** The id the source reports it under (CVE, GHSA, a distribution advisory). */
  readonly id: string;
  /** Other ids the source gives for the same vulnerability. */
  readonly aliases: readonly string[];
  readonly package: OpinionPackage;
  /** The source's own severity for it. */
  readonly severity: Severity;
  readonly vendorSeverities: readonly VendorSeverity[];
  readonly fixed: readonly string[];
  readonly status: OpinionStatus;
  /** The source's words for the status (`will_not_fix`, `not_affected: code_not_reachable`). */
  readonly statusDetail?: string;
  readonly title?: string;
}

export type OpinionFormat = 'trivy-json' | 'grype-json' | 'clair-v4' | 'cyclonedx' | 'amazon-inspector';

export interface OpinionReport {
  readonly format: OpinionFormat;
  /** The tool, as reports and policies name it: `trivy`, `grype`, `clair`, `amazon-inspector`, or a CycloneDX document's tool. */
  readonly tool: { readonly name: string; readonly version?: string };
  /** The tool's vulnerability database, when the report says: its version or build time. */
  readonly database?: { readonly version?: string; readonly updated?: string };
  /** When the tool scanned (ISO 8601), when the report says. */
  readonly scannedAt?: string;
  /** The artifact the report is about: every digest it names (manifest, index, image id) and its platform. */
  readonly subject: { readonly name?: string; readonly digests: readonly string[]; readonly platform?: string };
  readonly findings: readonly OpinionFinding[];
  /** Where it was read from (a file name, `inspector2:ListFindings`). */
  readonly origin: string;
  /** SHA-256 of the bytes read, when it came from a file. */
  readonly sha256?: string;
}
