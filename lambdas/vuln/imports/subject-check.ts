/**
 * Is a second opinion about the artifact being judged? Fail closed: a report counts only when a
 * digest it names is the manifest scanned, or the artifact's own digest when that is the same
 * manifest. A report naming only an index's digest counts for a platform only when it says it
 * scanned that platform (a scanner given an index picks one platform). A report that names no
 * digest (a scan of an image on disk, of an SBOM file) cannot be tied to the artifact and is
 * refused: scan by digest (`trivy image REPO@sha256:…`, `grype REPO@sha256:…`) instead.
 */
import { BadInputError } from '../../core/errors';
import type { OpinionReport } from './imported-report';

export interface JudgedManifest {
  /** The digest of the artifact as pushed (an index for a multi-platform image). */
  readonly root: string;
  /** The manifest this scan is about (equal to `root` for a single image). */
  readonly manifest: string;
  /** `os/arch[/variant]`, when known. */
  readonly platform?: string;
}

const osArch = (p: string): string => p.split('/').slice(0, 2).join('/').toLowerCase();

/** Undefined when the report applies to the manifest; else why not, in one line. */
export function whyNotApplicable(report: OpinionReport, judged: JudgedManifest): string | undefined {
  const digests = report.subject.digests;
  const what = `${report.origin} (${report.tool.name})`;
  if (!digests.length) {
    return `${what} names no image digest, so it cannot be tied to the artifact being judged (${judged.manifest}); produce it from the digest (e.g. trivy image REPO@${judged.root} --format json, grype REPO@${judged.root} -o json)`;
  }
  if (digests.includes(judged.manifest)) return undefined;
  if (digests.includes(judged.root)) {
    if (judged.root === judged.manifest) return undefined;
    if (report.subject.platform && judged.platform && osArch(report.subject.platform) === osArch(judged.platform)) return undefined;
    return `${what} is for the index ${judged.root} but does not say it scanned ${judged.platform ?? judged.manifest}${report.subject.platform ? ` (it scanned ${report.subject.platform})` : ''}`;
  }
  return `${what} is for ${digests.join(', ')}, not for ${judged.manifest}${judged.root !== judged.manifest ? ` nor ${judged.root}` : ''} (the artifact being judged)`;
}

/**
 * Which opinions each manifest's scan merges (same order as `targets`). Every opinion must be
 * about one of them: one that is not is refused, with why, before anything is scanned.
 */
export function assignOpinions(opinions: readonly OpinionReport[], targets: readonly (JudgedManifest | undefined)[]): OpinionReport[][] {
  const assigned = targets.map(() => [] as OpinionReport[]);
  for (const opinion of opinions) {
    const reasons: string[] = [];
    targets.forEach((t, i) => {
      const why = t ? whyNotApplicable(opinion, t) : `${opinion.origin}: the SBOM names no image digest (metadata.component), so no report can be checked against it`;
      if (why) reasons.push(why);
      else assigned[i]?.push(opinion);
    });
    if (reasons.length === targets.length) throw new BadInputError(`refused: ${reasons[0] ?? `${opinion.origin} is not about the artifact being judged`}`);
  }
  return assigned;
}
