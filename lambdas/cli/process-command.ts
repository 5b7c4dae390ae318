import * as fs from 'node:fs';
import { BadInputError } from '../core/errors';
import { parseSource } from '../oci/open-source';
import { localPaths } from '../local/paths';
import { openLocalEnvironment, runWorkflow } from '../local/runner';
import type { RecordResult, ResolvedArtifact } from '../workflow/state';
import type { SbomSummary } from '../workflow/state';
import type { SigningSummary } from '../workflow/state';
import type { ScanSummary } from '../workflow/state';
import { configuredSource } from '../vuln/sources/configure';
import { DEFAULT_TAG_POLICY, tagPolicyFrom } from '../ledger/tag-policy';
import { signerFor } from './signing-wiring';
import { oneOf, parseCommand } from './args';
import type { CommandResult } from './command';
import { progressDisplay } from './progress-render';

function summaryLines(source: string, out: Record<string, unknown>, home: string, devPublicKey: string | undefined): string[] {
  const a = out.artifact as ResolvedArtifact;
  const rec = out.record as RecordResult | undefined;
  const alerts = (out.alerts as { published?: string[] } | undefined)?.published ?? [];
  const paths = localPaths(home);
  const lines = ['Artifact Guard: workflow finished', `  source      ${source}`];
  lines.push(`  artifact    ${a.repositoryName}@${a.digest}`);
  lines.push(`  kind        ${a.kind}${a.tag ? `, tag ${a.tag}` : ''}${a.platforms.length ? `, ${a.platforms.length} platform(s)` : ''}`);
  for (const p of a.platforms) lines.push(`    platform  ${p.platform ?? 'unknown'}  ${p.digest}`);
  if (a.evidence) {
    lines.push(`  evidence    ${a.evidence.claim} about ${a.evidence.subject ?? 'nothing named'}: ${a.evidence.valid ? 'checked, recorded' : `POLICY VIOLATION: ${a.evidence.reason}`}`);
    lines.push(`  alerts      ${alerts.length ? alerts.join(', ') : 'none'}`);
    return lines;
  }
  const prov = Object.entries(a.provenance).map(([k, v]) => `${k}=${v}`);
  lines.push(`  provenance  ${prov.length ? prov.join(', ') : 'none labelled'}`);
  if (a.inProgress) lines.push(`  duplicate   another run is processing this digest (lease until ${a.inProgress.until}); only tag bookkeeping ran`);
  else if (a.duplicate) lines.push('  duplicate   this digest was processed before; only tag bookkeeping ran');
  const sbom = out.sbom as SbomSummary | undefined;
  for (const u of sbom?.uninventoried ?? []) lines.push(`  sbom        not inventoried: ${u.digest}${u.platform ? ` (${u.platform})` : ''}: ${u.reason}`);
  for (const d of sbom?.documents ?? []) {
    const types = Object.entries(d.byType).map(([t, n]) => `${n} ${t}`).join(', ') || 'no packages';
    lines.push(`  sbom        ${d.platform ? `${d.platform}: ` : ''}${d.components} component(s) (${types})${d.warnings ? `, ${d.warnings} warning(s)` : ''}${d.gaps ? `, INCOMPLETE: ${d.gaps} gap(s)` : ''}`);
    lines.push(`              ${d.cyclonedx.location}`, `              ${d.spdx.location}`);
  }
  const scan = out.scan as ScanSummary | undefined;
  if (scan) {
    const counts = Object.entries(scan.counts).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`).join(', ') || 'no findings';
    lines.push(`  scan        ${scan.verdict.toUpperCase()} at threshold ${scan.threshold}: ${scan.verdict === 'incomplete' || scan.verdict === 'skipped' ? scan.reason : counts}`);
    for (const g of scan.gaps.slice(0, 10)) lines.push(`              gap: ${g}`);
    if (scan.gapsTotal > 10) lines.push(`              … ${scan.gapsTotal - 10} more gap(s): see the reports`);
    if (scan.data) lines.push(`              data: ${scan.data.source}, ${scan.data.recordCount} record(s)${scan.data.newestModified ? `, newest ${scan.data.newestModified}` : ''}`);
    for (const f of scan.findingsAboveThreshold.slice(0, 10)) lines.push(`              ${f.id}  ${f.severity}  ${f.package}${f.fixed.length ? `  fixed in ${f.fixed.join(', ')}` : ''}`);
    if (scan.suppressed) lines.push(`              ${scan.suppressed} finding(s) suppressed`);
    for (const r of scan.reports) lines.push(`              ${r.location}`);
  }
  const signing = out.signing as SigningSummary | undefined;
  if (signing?.signed) {
    lines.push(`  signed      with ${signing.keyId} as ${signing.identity}`);
    for (const s of signing.signatures ?? []) lines.push(`              ${s.digest} -> ${s.tag} (${s.outcome})`);
    if (devPublicKey) lines.push(`              verify: artifact-guard verify ${source} --key ${devPublicKey}`);
  } else if (signing) lines.push(`  signed      no: ${signing.reason}`);
  if (signing?.attestations.length) {
    const types = [...new Set(signing.attestations.map((x) => x.type))];
    lines.push(`  attested    ${types.join(', ')} (DSSE in .att tags and Sigstore bundles; ${signing.attestations.length} in all)`);
  }
  if (rec) {
    lines.push(`  record      artifact ${rec.artifact === 'created' ? 'recorded' : 'already recorded'}, ${rec.eventsWritten} audit event(s) written`);
    if (rec.tagViolation) lines.push(`  VIOLATION   tag ${rec.tagViolation.tag} is bound to ${rec.tagViolation.boundDigest}`);
    if (rec.tagPolicyViolation) lines.push(`  VIOLATION   tag ${rec.tagPolicyViolation.tag}: ${rec.tagPolicyViolation.rule}`);
    for (const m of rec.provenanceMismatches ?? []) lines.push(`  VIOLATION   labels disagree with build ${m.pipeline} #${m.buildId}: ${m.mismatches.map((x) => x.field).join(', ')}`);
  }
  lines.push(`  alerts      ${alerts.length ? alerts.join(', ') : 'none'}`);
  lines.push(`  stores      records ${paths.records}`, `              evidence ${paths.evidence}`, `              alerts ${paths.alerts}`);
  return lines;
}

/** `process SOURCE`: the whole workflow, locally, on embedded stores. */
export async function processCommand(argv: string[]): Promise<CommandResult> {
  const { values, positionals } = parseCommand('process', argv);
  const format = oneOf('process', '-o', values.output, ['text', 'json'] as const, 'text');
  const source = positionals[0] as string;
  // A bad SOURCE fails before any store is opened or key generated.
  const spec = parseSource(source);
  // Usage errors stop here: no store is opened, no key made, nothing recorded as a failed run.
  if (spec.scheme === 'dir') throw new BadInputError(`process: dir:${spec.location} is a directory, not an OCI artifact; the workflow needs an image (use "sbom dir:${spec.location}" for its SBOM)`);
  if (spec.scheme !== 'registry' && !fs.existsSync(spec.location)) throw new BadInputError(`process: ${spec.scheme}:${spec.location}: no such file or directory`);
  const patterns = values['tag-pattern'];
  const tagPolicy = patterns?.length ? (patterns.length === 1 && patterns[0] === 'default' ? DEFAULT_TAG_POLICY : tagPolicyFrom(patterns, 'process: --tag-pattern')) : undefined;
  const signer = values.key ? await signerFor(values.key) : undefined;
  // The workflow's steps report no stages; OSV loading does, and -v shows every request.
  const display = progressDisplay(values);
  const vulnerabilities = configuredSource({ osvDir: values['osv-dir'], osvApi: values['osv-api'] }, process.env, { log: (l) => display.print(l), progress: display });
  const threshold = oneOf('process', '--fail-on', values['fail-on']?.toLowerCase(), ['critical', 'high', 'medium', 'low'] as const, 'high');
  const unknownSeverity = oneOf('process', '--unknown-severity', values['unknown-severity']?.toLowerCase(), ['fail', 'warn'] as const, 'fail');
  const env = await openLocalEnvironment({
    insecure: values.insecure,
    signer,
    signOnFindings: values['sign-on-findings'],
    acceptUninventoried: values['sign-uninventoried'],
    vulnerabilities,
    threshold,
    unknownSeverity,
    progress: display,
    // The local records are held by one process at a time: a lease found there is a killed run's.
    leaseSeconds: 0,
    ...(tagPolicy ? { tagPolicy } : {}),
  });
  if (env.devKey?.created) process.stderr.write(`process: generated the development signing key ${env.devKey.privateKeyFile} (public key ${env.devKey.publicKeyFile})\n`);
  try {
    const outcome = await runWorkflow({ source }, env);
    if (outcome.status === 'FAILED') {
      return { exitCode: 2, error: `process: ${outcome.cause} (${outcome.error}; a Workflow Failed alert was recorded)` };
    }
    const text = format === 'json' ? JSON.stringify(outcome.output, null, 2) : summaryLines(source, outcome.output, localPaths().home, env.devKey?.publicKeyFile).join('\n');
    // With --fail-on the caller asked for a gate: anything but a pass (or an accepted skip) is negative.
    const verdict = (outcome.output.scan as ScanSummary | undefined)?.verdict;
    const negative = values['fail-on'] !== undefined && (verdict === 'fail' || verdict === 'incomplete');
    return { exitCode: negative ? 1 : 0, stdout: `${text}\n`, ...(negative ? { error: `process: the verdict is ${verdict}` } : {}) };
  } finally {
    display.end();
    await env.close();
  }
}
