/**
 * An alert as a person reads it: an e-mail subject naming what happened and to which image, and
 * a body that says what happened, to what (image, tag, digest, account, region), why, what it
 * means (not signed, the gate will deny), what to do next, and where to look. The alert mailer
 * Lambda sends this through SNS; chat gets the same in AWS Chatbot's custom-notification shape.
 */
import { AlertType, type AlertTypeName } from '../core/alerts';

export interface AlertContext {
  readonly account?: string;
  readonly region?: string;
}

export interface AlertMessage {
  /** At most 100 characters, one line (SNS's limit for e-mail subjects). */
  readonly subject: string;
  readonly text: string;
  /** AWS Chatbot custom notification (`version` 1.0, `source` custom). */
  readonly chat: { readonly version: '1.0'; readonly source: 'custom'; readonly content: { readonly title: string; readonly description: string; readonly nextSteps: readonly string[] } };
}

type Detail = Readonly<Record<string, unknown>>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** `123.dkr.ecr.eu-west-1.amazonaws.com/team/app` → `team/app`: what fits in a subject. */
export function shortRepository(repository: string): string {
  const slash = repository.indexOf('/');
  const host = slash === -1 ? '' : repository.slice(0, slash);
  return host.includes('.') || host.includes(':') || host === 'localhost' ? repository.slice(slash + 1) : repository;
}

function imageName(d: Detail): string {
  const repo = str(d.repository);
  if (!repo) return 'an artifact';
  const tag = str(d.tag);
  const digest = str(d.digest) ?? str(d.pushedDigest);
  return `${shortRepository(repo)}${tag ? `:${tag}` : digest ? `@${digest.slice(0, 19)}` : ''}`;
}

function subjectLine(text: string): string {
  const line = text.replace(/[\r\n\t]+/g, ' ').replace(/[^\x20-\x7E]/g, '?');
  return line.length > 100 ? `${line.slice(0, 97)}...` : line;
}

/** The region and account an execution ARN names (`arn:aws:states:REGION:ACCOUNT:execution:…`). */
function fromExecutionArn(arn: string | undefined): { region?: string; account?: string } {
  const m = arn ? /^arn:[^:]+:states:([^:]+):(\d{12}):execution:/.exec(arn) : null;
  return m ? { region: m[1], account: m[2] } : {};
}

function links(d: Detail, ctx: AlertContext): string[] {
  const out: string[] = [];
  const execution = str(d.execution);
  const region = ctx.region ?? fromExecutionArn(execution).region;
  if (execution?.startsWith('arn:') && region) out.push(`Execution: https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${execution}`);
  const report = strings(d.reports)[0];
  const s3 = report ? /^s3:\/\/([^/]+)\/(.*\/)[^/]*$/.exec(report) : null;
  if (s3) out.push(`Evidence: https://s3.console.aws.amazon.com/s3/buckets/${s3[1]}?prefix=${encodeURIComponent(s3[2] ?? '')}`);
  else if (report) out.push(`Evidence: ${report}`);
  for (const f of findingsOf(d).slice(0, 5)) out.push(`Advisory ${f.id}: https://osv.dev/vulnerability/${encodeURIComponent(f.id)}`);
  return out;
}

interface FindingLine {
  readonly id: string;
  readonly severity: string;
  readonly package: string;
  readonly version: string;
  readonly fixed: readonly string[];
  /** Who reported it (`grype:high`, `ours:medium`), when second opinions were merged. */
  readonly sources: readonly string[];
}

function findingsOf(d: Detail): FindingLine[] {
  if (!Array.isArray(d.findings)) return [];
  return d.findings.flatMap((f: unknown) => {
    const o = f as Detail;
    const id = str(o.id);
    return id ? [{ id, severity: str(o.severity) ?? 'unknown', package: str(o.package) ?? '?', version: str(o.version) ?? '?', fixed: strings(o.fixed), sources: strings(o.sources) }] : [];
  });
}

/** Findings a source rules out while another reports them: they still count, and people should know. */
function disagreementLines(d: Detail): string[] {
  const lines = strings(d.disagreements).map((l) => `sources disagree: ${l} (still counted)`);
  const total = typeof d.disagreementsTotal === 'number' ? d.disagreementsTotal : lines.length;
  if (total > lines.length) lines.push(`${total - lines.length} more disagreement(s) in the scan reports`);
  return lines;
}

interface Parts {
  readonly subject: string;
  readonly happened: string;
  readonly why: readonly string[];
  readonly consequence: string;
  readonly next: readonly string[];
}

/** Each alert type in words. */
function partsOf(type: AlertTypeName, d: Detail): Parts {
  const image = imageName(d);
  const summary = str(d.summary) ?? '';
  switch (type) {
    case AlertType.vulnerabilities: {
      const findings = findingsOf(d);
      const top = findings[0]?.severity.toUpperCase() ?? str(d.threshold)?.toUpperCase() ?? 'HIGH';
      const total = typeof d.findingsTotal === 'number' ? d.findingsTotal : findings.length;
      return {
        subject: `${top} vulnerabilities in ${image}`,
        happened: `The scan found ${total} unsuppressed finding(s) at or above ${str(d.threshold) ?? 'the threshold'} in ${image}.`,
        why: [
          ...findings.map((f) => `${f.id} (${f.severity}) in ${f.package} ${f.version}${f.fixed.length ? `, fixed in ${f.fixed.join(', ')}` : ', no fix yet'}${f.sources.length ? `; reported by ${f.sources.join(', ')}` : ''}`),
          ...disagreementLines(d),
          ...(strings(d.sources).length ? [`scanned by ${strings(d.sources).join('; ')}; the severity used is the highest any of them gives`] : []),
        ],
        consequence: 'The image is not signed (unless the stack signs on findings), so the deploy gate and admission policies will deny it.',
        next: ['Upgrade the packages to a fixed version and push a new image.', 'If a finding does not apply, suppress it with a reason (ignore file or VEX) and process the image again.'],
      };
    }
    case AlertType.scanIncomplete:
      return {
        subject: `Scan incomplete, not signed: ${image}`,
        happened: `${image} could not be fully inventoried and scanned.`,
        why: strings(d.gaps).length ? strings(d.gaps) : [str(d.reason) ?? summary],
        consequence: 'Nothing that was not fully scanned is signed: the deploy gate and admission policies will deny this image.',
        next: [
          'Give the scan data that covers the image (the ecosystems and distribution releases named above).',
          'Rebuild without layers or files the SBOM cannot read, or fix versions that cannot be ordered.',
          'See the README section "What pass means, and incomplete".',
        ],
      };
    case AlertType.tagViolation:
      return {
        subject: `Tag moved: ${shortRepository(str(d.repository) ?? '?')}:${str(d.tag) ?? '?'}`,
        happened: `Tag ${str(d.tag) ?? '?'} of ${str(d.repository) ?? '?'} was pushed again with another digest.`,
        why: [`It was bound to ${str(d.boundDigest) ?? '?'}; the new push is ${str(d.pushedDigest) ?? '?'}.`],
        consequence: 'Tags are immutable here: deployments by tag may now get a different image. The first binding stays in the records.',
        next: ['Find who pushed (CloudTrail PutImage for the repository) and deploy by digest.', 'Push releases under new tags.'],
      };
    case AlertType.policyViolation:
      if (d.reason === 'promotion-refused') {
        return {
          subject: `Promotion refused: ${image} to ${str(d.environment) ?? 'an environment'}`,
          happened: `${str(d.caller) ?? 'Someone'} asked to promote ${image} into ${str(d.target) ?? 'a gated repository'}; the gate for ${str(d.environment) ?? 'that environment'} denied it.`,
          why: strings(d.reasons).slice(0, 10),
          consequence: 'Nothing was copied: the target repository does not hold it and the environment will not run it.',
          next: ['Fix what the reasons name (rebuild, re-scan, attach the missing evidence), then promote again.', 'If nobody expected this promotion, check who the caller is.'],
        };
      }
      if (str(d.reason) === 'provenance-mismatch') {
        const mismatches = Array.isArray(d.mismatches) ? d.mismatches.map((m: unknown) => m as Detail) : [];
        return {
          subject: `Provenance mismatch: ${image}`,
          happened: `The labels of ${image} disagree with what CI reported for build ${str(d.pipeline) ?? '?'} #${str(d.buildId) ?? '?'}.`,
          why: mismatches.map((m) => `${str(m.field) ?? '?'}: the image says "${str(m.label) ?? '?'}", the build record says "${str(m.build) ?? '?'}"`),
          consequence: 'The labels are kept as pushed and flagged: provenance attestations and policies that trust them may name the wrong source or build.',
          next: ['Check which build pushed this digest (artifact-guard history, the CloudTrail pusher) and whether the labels or the build report are wrong.', 'Fix the pipeline that writes the labels, rebuild and push a new digest.'],
        };
      }
      if (str(d.reason) === 'tag-policy') {
        return {
          subject: `Tag not allowed: ${image}`,
          happened: `${image} was pushed under tag ${str(d.tag) ?? '?'}, which the tag policy does not allow.`,
          why: [str(d.rule) ?? summary],
          consequence: 'The push was recorded and processed, but deployments by this tag cannot be traced to a release: it names no version, build or commit.',
          next: ['Push releases under a semantic version, sha-<commit> or build-<id> tag and deploy by digest.', 'If the tag is legitimate, add its pattern to the tagPatterns of the stack.'],
        };
      }
      return {
        subject: `Policy violation: ${image}`,
        happened: `A push to ${image} is not the evidence it claims to be (${str(d.claim) ?? 'evidence'}${str(d.subject) ? ` about ${str(d.subject)}` : ''}).`,
        why: [str(d.explanation) ?? summary],
        consequence: 'It was recorded and never processed: it is not scanned or signed, and the gate denies it.',
        next: ['Delete the manifest from the repository if nobody owns it.', 'Find who pushed it (CloudTrail PutImage) and check their access.'],
      };
    case AlertType.signatureFailed:
      return {
        subject: `Deployment denied: ${image}`,
        happened: `The deploy gate denied ${str(d.reference) ?? image}.`,
        why: strings(d.reasons).slice(0, 10),
        consequence: 'The deployment that asked must not proceed with this image.',
        next: ['Deploy a digest the workflow signed (its summary or `artifact-guard verify` shows which).', 'If the image should pass, check its scan and attestations with `artifact-guard verify REF --policy`.'],
      };
    case AlertType.workflowFailed:
      return {
        subject: `Workflow failed: ${image}`,
        happened: `Processing ${image} failed after its retries.`,
        why: [str(d.error) ? `${str(d.error)}: ${summary}` : summary],
        consequence: 'The artifact was not signed and may not be recorded: the gate denies it until it is processed.',
        next: ['Read the execution (link below), fix the cause, then redrive the execution or start it again with {"source": "HOST/REPO@DIGEST"}.'],
      };
    case AlertType.processed:
      return { subject: `Processed: ${image}`, happened: summary, why: [], consequence: 'Recorded with its evidence.', next: [] };
  }
}

export function renderAlert(type: AlertTypeName, detail: Detail, ctx: AlertContext = {}): AlertMessage {
  const p = partsOf(type, detail);
  const where = { ...fromExecutionArn(str(detail.execution)), ...Object.fromEntries(Object.entries(ctx).filter(([, v]) => v)) };
  const facts = [
    ['Repository', str(detail.repository)],
    ['Tag', str(detail.tag)],
    ['Digest', str(detail.digest) ?? str(detail.pushedDigest)],
    ['Account', where.account],
    ['Region', where.region],
  ].filter((f): f is [string, string] => f[1] !== undefined);
  const see = links(detail, where);
  const text = [
    p.happened,
    '',
    ...facts.map(([k, v]) => `${k}: ${v}`),
    ...(p.why.length ? ['', 'Why:', ...p.why.map((w) => `  - ${w}`)] : []),
    '',
    `What it means: ${p.consequence}`,
    ...(p.next.length ? ['', 'What to do:', ...p.next.map((n) => `  - ${n}`)] : []),
    ...(see.length ? ['', ...see] : []),
    '',
  ].join('\n');
  const subject = subjectLine(`[Artifact Guard] ${p.subject}`);
  return { subject, text, chat: { version: '1.0', source: 'custom', content: { title: subject, description: [p.happened, ...p.why.slice(0, 5)].join('\n'), nextSteps: [...p.next] } } };
}
