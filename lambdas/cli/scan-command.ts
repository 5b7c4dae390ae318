import * as fs from 'node:fs';
import * as path from 'node:path';
import { BadInputError } from '../core/errors';
import { cycloneDxJson } from '../sbom/writers/cyclonedx';
import { scanCycloneDx } from '../vuln/render-cyclonedx';
import { describeFilter, isFiltering, parseSeverityList, type FindingFilter } from '../vuln/render-filter';
import { scanSarif } from '../vuln/render-sarif';
import { scanTable, TABLE_WIDTH } from '../vuln/render-table';
import { reportJson, type ScanReport, type UnknownSeverityPolicy } from '../vuln/report';
import { scanSbom } from '../vuln/scan';
import { parseScanSbom, type ScanSbom } from '../vuln/sbom-input';
import { type Severity } from '../vuln/severity';
import { configuredSource, SOURCE_HINT } from '../vuln/sources/configure';
import { parseIgnoreFile, parseVexDocument, type SuppressionRules } from '../vuln/suppress';
import type { OpinionReport } from '../vuln/imports/imported-report';
import { digestIn } from '../vuln/imports/json-input';
import type { SourcesCounted } from '../vuln/imports/merge';
import { parseOpinion } from '../vuln/imports/parse';
import { assignOpinions, type JudgedManifest } from '../vuln/imports/subject-check';
import { oneOf, parseCommand } from './args';
import { usageLine } from './command-specs';
import type { CommandResult } from './command';
import type { ProgressDisplay } from './progress-render';
import { progressDisplay } from './progress-render';
import { sbomFor } from './sbom-command';

const FORMATS = ['table', 'json', 'sarif', 'cyclonedx-json'] as const;
type Format = (typeof FORMATS)[number];
/** Formats the filters shape; json and cyclonedx-json are the complete evidence (see render-filter.ts). */
const FILTERED: ReadonlySet<Format> = new Set(['table', 'sarif']);
const FAIL_ON: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info', 'unknown'];
const UNKNOWN_SEVERITY: readonly UnknownSeverityPolicy[] = ['fail', 'warn'];
const SOURCES: readonly SourcesCounted[] = ['all', 'ours'];
/** Gap lines per report on stderr; the report lists them all. */
const MAX_GAP_LINES = 20;

function readInput(file: string, what: string): string {
  try {
    return file === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new BadInputError(`scan: cannot read ${what} ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

function loadRules(ignore: string | undefined, vex: readonly string[]): SuppressionRules {
  return {
    ignore: ignore ? parseIgnoreFile(readInput(ignore, 'ignore file'), ignore) : [],
    vex: vex.flatMap((f) => parseVexDocument(readInput(f, 'VEX document'), f)),
  };
}

/** Second opinions (`--also`), each parsed whole before anything is scanned. */
function loadOpinions(files: readonly string[]): OpinionReport[] {
  return files.map((f) => parseOpinion(readInput(f, 'report'), f));
}

/** The image an SBOM file describes, by the digest its `metadata.component` carries (purl or version). */
function sbomManifest(sbom: ScanSbom): JudgedManifest | undefined {
  let purl = sbom.subject.purl;
  try {
    purl = purl && decodeURIComponent(purl);
  } catch {
    // an undecodable purl names no digest we could trust
  }
  const digest = digestIn(purl) ?? digestIn(sbom.subject.version) ?? digestIn(sbom.subject.bomRef);
  return digest ? { root: digest, manifest: digest } : undefined;
}

interface ScanTarget {
  readonly label: string;
  readonly sbom: ScanSbom;
  readonly gaps: readonly string[];
  /** The manifest judged, for checking second opinions against it. */
  readonly judged?: JudgedManifest;
}

/** The SBOMs to scan: the file given, or one per platform of SOURCE (generated like `sbom`). */
async function sbomsFor(values: { sbom?: string; platform?: string; insecure?: boolean; quiet?: boolean }, source: string | undefined, display: ProgressDisplay): Promise<ScanTarget[]> {
  if (values.sbom) {
    const sbom = parseScanSbom(readInput(values.sbom, 'SBOM'), values.sbom);
    const judged = sbomManifest(sbom);
    return [{ label: values.sbom, sbom, gaps: sbom.declaredGaps, ...(judged ? { judged } : {}) }];
  }
  const log = values.quiet ? undefined : (l: string) => display.print(l);
  const result = await sbomFor(source as string, { insecure: values.insecure, progress: display, warn: (l) => display.print(l), command: 'scan', ...(values.platform ? { platform: values.platform } : {}) });
  const images = result.images;
  if (!images.length) throw new BadInputError(`scan: ${result.subject.name}@${result.subject.digest} is a ${result.subject.kind}, not a container image: nothing to scan`);
  for (const image of images) for (const w of image.warnings) log?.(`warning: ${w.path ? `${w.path}: ` : ''}${w.message}`);
  // A manifest of the artifact that has no SBOM leaves every platform's verdict open.
  const missing = result.uninventoried.map((u) => `manifest ${u.digest}${u.platform ? ` (${u.platform})` : ''} was not inventoried: ${u.reason}`);
  return images.map((image) => ({
    label: image.platform ?? image.manifestDigest,
    sbom: parseScanSbom(cycloneDxJson(result.subject, image), source as string),
    gaps: [...image.gaps.map((g) => g.message), ...missing],
    judged: { root: result.subject.digest, manifest: image.manifestDigest, ...(image.platform ? { platform: image.platform } : {}) },
  }));
}

/** One `-o`: a format, to stdout or (`FORMAT=FILE`, or `--file OUT` for the only one) to a file. */
interface Output {
  readonly format: Format;
  readonly file?: string;
}

/**
 * `-o FORMAT` (stdout) and `-o FORMAT=FILE`, repeatable: several formats from one scan. At most
 * one goes to stdout (two documents on one stream cannot be told apart); `--file OUT` keeps
 * working for a single format. No `-o` is a table on stdout.
 */
export function parseOutputs(specs: readonly string[] | undefined, file: string | undefined): Output[] {
  const outputs = (specs?.length ? specs : ['table']).map((spec): Output => {
    const eq = spec.indexOf('=');
    const format = oneOf('scan', '-o', (eq < 0 ? spec : spec.slice(0, eq)).trim().toLowerCase(), FORMATS, 'table');
    if (eq < 0) return { format };
    const target = spec.slice(eq + 1);
    if (!target) throw new BadInputError(`scan: -o ${format}= needs a file name (-o ${format}=FILE)`);
    return { format, file: target };
  });
  const toStdout = outputs.filter((o) => !o.file);
  if (toStdout.length > 1) {
    throw new BadInputError(`scan: only one output can go to stdout (got ${toStdout.map((o) => `-o ${o.format}`).join(', ')}); write the others to files with -o FORMAT=FILE`);
  }
  if (file !== undefined) {
    const only = outputs[0];
    if (outputs.length !== 1 || !only || only.file) throw new BadInputError('scan: --file OUT names the file of a single -o FORMAT; with several outputs give each its file: -o FORMAT=FILE');
    return [{ format: only.format, file }];
  }
  const seen = new Set<string>();
  for (const o of outputs) {
    if (!o.file) continue;
    const key = path.resolve(o.file);
    if (seen.has(key)) throw new BadInputError(`scan: two outputs would write ${o.file}`);
    seen.add(key);
  }
  return outputs;
}

interface RenderContext {
  readonly filter?: FindingFilter;
  readonly label: string;
  /** Several platforms: each SARIF run gets its own category. */
  readonly multi: boolean;
  /** Colour and width for a table on a terminal. */
  readonly terminal?: { readonly color: boolean; readonly width: number };
}

function render(format: Format, report: ScanReport, sbom: ScanSbom, ctx: RenderContext, toStdout: boolean): string {
  if (format === 'table') return scanTable(report, { ...(ctx.filter ? { filter: ctx.filter } : {}), ...(toStdout && ctx.terminal ? ctx.terminal : {}) });
  if (format === 'sarif') return scanSarif(report, sbom.document, { ...(ctx.filter ? { filter: ctx.filter } : {}), label: ctx.label, ...(ctx.multi ? { category: ctx.label } : {}) });
  if (format === 'cyclonedx-json') return scanCycloneDx(report, sbom.document);
  return reportJson(report);
}

/** Several platforms: `OUT` with `.<os>-<arch>` before the extension, as `sbom` does. */
function platformFile(file: string, label: string): string {
  const ext = path.extname(file);
  return `${file.slice(0, file.length - ext.length)}.${label.replace(/[/:]/g, '-')}${ext}`;
}

function writeFile(file: string, text: string): void {
  try {
    fs.writeFileSync(file, text);
  } catch (err) {
    throw new BadInputError(`scan: cannot write ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** Writes each file output; returns what goes to stdout (several platforms: one document after another). */
function write(outputs: readonly Output[], docs: readonly { label: string; texts: readonly string[] }[]): string | undefined {
  let stdout: string | undefined;
  outputs.forEach((o, i) => {
    const texts = docs.map((d) => ({ label: d.label, text: d.texts[i] ?? '' }));
    if (!o.file) stdout = texts.map((d) => d.text).join(texts.length > 1 ? '\n' : '');
    else if (texts.length === 1) writeFile(o.file, (texts[0] as { text: string }).text);
    else for (const d of texts) writeFile(platformFile(o.file, d.label), d.text);
  });
  return stdout;
}

/** Colour only for a terminal, and never when NO_COLOR (https://no-color.org) is set or TERM is dumb. */
function terminal(env: NodeJS.ProcessEnv): RenderContext['terminal'] {
  if (!process.stdout.isTTY) return undefined;
  const columns = process.stdout.columns;
  return { color: !env.NO_COLOR && env.TERM !== 'dumb', width: columns ? Math.min(columns, TABLE_WIDTH) : TABLE_WIDTH };
}

/**
 * What the scan could not check, on stderr: with --fail-on an incomplete scan is a negative
 * verdict (each line says why); otherwise the same lines are warnings beside the report.
 */
function gapLines(report: ScanReport, label: string | undefined, negative: boolean): string[] {
  const prefix = `${negative ? '' : 'warning: '}scan incomplete: ${label ? `${label}: ` : ''}`;
  const lines = report.gaps.slice(0, MAX_GAP_LINES).map((g) => `${prefix}${g.message}`);
  if (report.gaps.length > MAX_GAP_LINES) lines.push(`${prefix}${report.gaps.length - MAX_GAP_LINES} more gap(s) in the report`);
  return lines;
}

/**
 * `scan SOURCE | --sbom FILE …`: exit 0 clean or below --fail-on (or incomplete without
 * --fail-on: the report says so), 1 a blocking finding or, with --fail-on, an incomplete scan,
 * 2 an error. `--severity` and `--only-fixed` change what the table and SARIF show, never the
 * verdict or the exit code (render-filter.ts says why).
 */
export async function scanCommand(argv: string[]): Promise<CommandResult> {
  const { values, positionals } = parseCommand('scan', argv);
  const source = positionals[0];
  if (!source && !values.sbom) throw new BadInputError(`scan: missing SOURCE or --sbom FILE (usage: ${usageLine('scan')})`);
  if (source && values.sbom) throw new BadInputError('scan: give SOURCE or --sbom FILE, not both');
  const outputs = parseOutputs(values.output, values.file);
  const filter: FindingFilter = { ...(values['only-fixed'] ? { onlyFixed: true } : {}), ...(values.severity ? { severities: parseSeverityList(values.severity) } : {}) };
  const threshold = values['fail-on'] === undefined ? undefined : oneOf('scan', '--fail-on', values['fail-on'].toLowerCase(), FAIL_ON, 'high');
  const unknownSeverity = oneOf('scan', '--unknown-severity', values['unknown-severity']?.toLowerCase(), UNKNOWN_SEVERITY, 'fail');
  const sources = oneOf('scan', '--sources', values.sources?.toLowerCase(), SOURCES, 'all');
  // Warnings (malformed records, unorderable versions, expired rules) always reach stderr;
  // -q only silences progress.
  const display = progressDisplay(values);
  try {
    return await scanWith(values, source, { outputs, filter, threshold, unknownSeverity, sources }, display);
  } finally {
    display.end();
  }
}

interface ScanChoices {
  readonly outputs: ReturnType<typeof parseOutputs>;
  readonly filter: FindingFilter;
  readonly threshold: Severity | undefined;
  readonly unknownSeverity: UnknownSeverityPolicy;
  readonly sources: SourcesCounted;
}

async function scanWith(values: ReturnType<typeof parseCommand<'scan'>>['values'], source: string | undefined, choices: ScanChoices, display: ProgressDisplay): Promise<CommandResult> {
  const { outputs, filter, threshold, unknownSeverity, sources } = choices;
  const warn = (l: string): void => display.print(l);
  const progress = values.quiet ? undefined : warn;
  const vulnSource = configuredSource({ osvDir: values['osv-dir'], osvApi: values['osv-api'] }, process.env, { log: progress, progress: display });
  if (!vulnSource) throw new BadInputError(`scan: no vulnerability data source configured (${SOURCE_HINT}); nothing was scanned`);
  const rules = loadRules(values.ignore, values.vex ?? []);
  const opinions = loadOpinions(values.also ?? []);

  // Filters shape the table and SARIF only: say so when no output is one of them.
  if (isFiltering(filter) && !outputs.some((o) => FILTERED.has(o.format))) {
    warn(`warning: ${describeFilter(filter)} filters the table and SARIF outputs only; ${outputs.map((o) => o.format).join(' and ')} ${outputs.length > 1 ? 'list' : 'lists'} every finding`);
  }

  const sboms = await sbomsFor(values, source, display);
  // Every report must be about a manifest scanned here: refused before anything is scanned.
  const assigned = opinions.length ? assignOpinions(opinions, sboms.map((s) => s.judged)) : sboms.map(() => []);
  const tty = terminal(process.env);
  const docs: { label: string; texts: string[] }[] = [];
  let failed = false;
  for (const [i, { label, sbom, gaps }] of sboms.entries()) {
    const report = await scanSbom(sbom, vulnSource, { now: new Date(), threshold, rules, unknownSeverity, inventoryGaps: gaps, log: warn, opinions: assigned[i] ?? [], sources });
    const incomplete = report.verdict === 'incomplete' && threshold !== undefined;
    failed ||= report.verdict === 'fail' || incomplete;
    for (const line of gapLines(report, sboms.length > 1 ? label : undefined, incomplete)) warn(line);
    const ctx: RenderContext = { ...(isFiltering(filter) ? { filter } : {}), label, multi: sboms.length > 1, ...(tty ? { terminal: tty } : {}) };
    docs.push({ label, texts: outputs.map((o) => render(o.format, report, sbom, ctx, !o.file)) });
  }
  const stdout = write(outputs, docs);
  return { exitCode: failed ? 1 : 0, ...(stdout ? { stdout } : {}) };
}
