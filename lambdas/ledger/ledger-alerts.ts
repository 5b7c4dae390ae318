import { AlertType } from '../core/alerts';
import type { Alert } from '../ports/alert-sink';
import type { BuildLink } from './link-build';

/** Policy Violation `provenance-mismatch`: the image's labels say another build than CI reported. */
export function provenanceMismatchAlert(link: BuildLink, common: Readonly<Record<string, unknown>> = {}): Alert {
  const what = link.mismatches.map((m) => `${m.field}: label "${m.label}", build record "${m.build}"`);
  return {
    type: AlertType.policyViolation,
    detail: {
      summary: `${link.repositoryName}@${link.digest} is labelled differently from build ${link.pipeline}#${link.buildId}: ${what.join('; ')}`,
      reason: 'provenance-mismatch',
      repository: link.repositoryName,
      digest: link.digest,
      pipeline: link.pipeline,
      buildId: link.buildId,
      mismatches: link.mismatches.map((m) => ({ ...m })),
      ...common,
    },
  };
}

/** Policy Violation `tag-policy`: a push under a tag the tag rule does not allow. */
export function tagPolicyAlert(v: { readonly repositoryName: string; readonly digest: string; readonly tag: string; readonly rule: string }, common: Readonly<Record<string, unknown>> = {}): Alert {
  return {
    type: AlertType.policyViolation,
    detail: {
      summary: `tag ${v.repositoryName}:${v.tag} is not allowed by the tag policy (${v.rule})`,
      reason: 'tag-policy',
      repository: v.repositoryName,
      digest: v.digest,
      rule: v.rule,
      ...common,
      tag: v.tag,
    },
  };
}
