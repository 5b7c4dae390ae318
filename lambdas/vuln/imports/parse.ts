/**
 * Reads a second-opinion file, whichever tool wrote it: Trivy JSON, Grype JSON, a Clair v4
 * vulnerability report, a CycloneDX vulnerability/VEX document, or Amazon Inspector's
 * ListFindings output. The format is recognised from its own top-level fields; anything else is
 * one clear error naming the formats read.
 */
import { createHash } from 'node:crypto';
import { BadInputError } from '../../core/errors';
import { isClairReport, parseClairReport } from './clair';
import { isCycloneDxVulnerabilities, parseCycloneDxVulnerabilities } from './cyclonedx';
import { isGrypeReport, parseGrypeReport } from './grype';
import type { OpinionReport } from './imported-report';
import { isInspectorFindings, parseInspectorDocument } from './inspector';
import { OURS } from './merge';
import { parseJsonObject } from './json-input';
import { isTrivyReport, parseTrivyReport } from './trivy';

export const OPINION_FORMATS = 'Trivy JSON (trivy image --format json), Grype JSON (grype -o json), a Clair v4 vulnerability report, a CycloneDX document with vulnerabilities[], or Amazon Inspector ListFindings output';

export function parseOpinion(text: string, origin: string): OpinionReport {
  const doc = parseJsonObject(text, origin, 'the report');
  const sha256 = createHash('sha256').update(text).digest('hex');
  let report: OpinionReport;
  if (isTrivyReport(doc)) report = parseTrivyReport(doc, origin);
  else if (isGrypeReport(doc)) report = parseGrypeReport(doc, origin);
  else if (isClairReport(doc)) report = parseClairReport(doc, origin);
  else if (isCycloneDxVulnerabilities(doc)) report = parseCycloneDxVulnerabilities(doc, origin);
  else if (isInspectorFindings(doc)) report = parseInspectorDocument(doc, origin);
  else if (doc.bomFormat === 'CycloneDX') throw new BadInputError(`${origin}: a CycloneDX document without vulnerabilities[]: an SBOM is not a second opinion (scan it with --sbom)`);
  else throw new BadInputError(`${origin}: not a report this reads (${OPINION_FORMATS})`);
  // Our own report read back (scan -o cyclonedx-json) is a document, not the scan being judged: never named as ours.
  const tool = report.tool.name === OURS ? { ...report.tool, name: `${OURS}-report` } : report.tool;
  return { ...report, tool, sha256 };
}
