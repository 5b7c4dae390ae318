import * as fs from 'node:fs';
import * as path from 'node:path';
import { BadInputError } from '../core/errors';
import { cycloneDxJson } from '../sbom/writers/cyclonedx';
import { scanCycloneDx } from '../vuln/render-cyclonedx';
import { scanTable } from '../vuln/render-table';
import { reportJson, type ScanReport, type UnknownSeverityPolicy } from '../vuln/report';
import { scanSbom } from '../vuln/scan';
import { parseScanSbom, type ScanSbom } from '../vuln/sbom-input';
import { type Severity } from '../vuln/severity';
import { configuredSource, SOURCE_HINT } from '../vuln/sources/configure';
import { parseIgnoreFile, parseVexDocument, type SuppressionRules } from '../vuln/suppress';
import { oneOf, parseCommand } from './args';
import { usageLine } from './command-specs';
import type { CommandResult } from './command';
import type { ProgressDisplay } from './progress-render';
import { progressDisplay } from './progress-render';
import { sbomFor } from './sbom-command';

const FORMATS = ['json', 'table', 'cyclonedx-json'] as const;
const FAIL_ON: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info', 'unknown'];
const UNKNOWN_SEVERITY: readonly UnknownSeverityPolicy[] = ['fail', 'warn'];
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

/** The SBOMs to scan: the file given, or one per platform of SOURCE (generated like `sbom`). */
async function sbomsFor(values: { sbom?: string; platform?: string; insecure?: boolean; quiet?: boolean }, source: string | undefined, display: ProgressDisplay): Promise<{ label: string; sbom: ScanSbom; gaps: readonly string[] }[]> {
  if (values.sbom) {
    const sbom = parseScanSbom(readInput(values.sbom, 'SBOM'), values.sbom);
    return [{ label: values.sbom, sbom, gaps: sbom.declaredGaps }];
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
  }));
}

function render(format: (typeof FORMATS)[number], report: ScanReport, sbom: ScanSbom): string {
  if (format === 'table') return scanTable(report);
  if (format === 'cyclonedx-json') return scanCycloneDx(report, sbom.document);
  return reportJson(report);
}

/** stdout, or `--file OUT` (several platforms: `OUT` with `.<os>-<arch>` before the extension, as `sbom` does). */
function write(file: string | undefined, docs: { label: string; text: string }[]): string | undefined {
  if (!file) return docs.map((d) => d.text).join(docs.length > 1 ? '\n' : '');
  if (docs.length === 1) fs.writeFileSync(file, (docs[0] as { text: string }).text);
  else {
    const ext = path.extname(file);
    for (const d of docs) fs.writeFileSync(`${file.slice(0, file.length - ext.length)}.${d.label.replace(/[/:]/g, '-')}${ext}`, d.text);
  }
  return undefined;
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
 * 2 an error.
 */
export async function scanCommand(argv: string[]): Promise<CommandResult> {
  const { values, positionals } = parseCommand('scan', argv);
  const source = positionals[0];
  if (!source && !values.sbom) throw new BadInputError(`scan: missing SOURCE or --sbom FILE (usage: ${usageLine('scan')})`);
  if (source && values.sbom) throw new BadInputError('scan: give SOURCE or --sbom FILE, not both');
  const format = oneOf('scan', '-o', values.output, FORMATS, 'json');
  const threshold = values['fail-on'] === undefined ? undefined : oneOf('scan', '--fail-on', values['fail-on'].toLowerCase(), FAIL_ON, 'high');
  const unknownSeverity = oneOf('scan', '--unknown-severity', values['unknown-severity']?.toLowerCase(), UNKNOWN_SEVERITY, 'fail');
  // Warnings (malformed records, unorderable versions, expired rules) always reach stderr;
  // -q only silences progress.
  const display = progressDisplay(values);
  try {
    return await scanWith(values, source, format, threshold, unknownSeverity, display);
  } finally {
    display.end();
  }
}

async function scanWith(
  values: ReturnType<typeof parseCommand<'scan'>>['values'],
  source: string | undefined,
  format: (typeof FORMATS)[number],
  threshold: Severity | undefined,
  unknownSeverity: UnknownSeverityPolicy,
  display: ProgressDisplay,
): Promise<CommandResult> {
  const warn = (l: string): void => display.print(l);
  const progress = values.quiet ? undefined : warn;
  const vulnSource = configuredSource({ osvDir: values['osv-dir'], osvApi: values['osv-api'] }, process.env, { log: progress, progress: display });
  if (!vulnSource) throw new BadInputError(`scan: no vulnerability data source configured (${SOURCE_HINT}); nothing was scanned`);
  const rules = loadRules(values.ignore, values.vex ?? []);

  const sboms = await sbomsFor(values, source, display);
  const docs: { label: string; text: string }[] = [];
  let failed = false;
  for (const { label, sbom, gaps } of sboms) {
    const report = await scanSbom(sbom, vulnSource, { now: new Date(), threshold, rules, unknownSeverity, inventoryGaps: gaps, log: warn });
    const incomplete = report.verdict === 'incomplete' && threshold !== undefined;
    failed ||= report.verdict === 'fail' || incomplete;
    for (const line of gapLines(report, sboms.length > 1 ? label : undefined, incomplete)) warn(line);
    docs.push({ label, text: render(format, report, sbom) });
  }
  const stdout = write(values.file, docs);
  return { exitCode: failed ? 1 : 0, ...(stdout ? { stdout } : {}) };
}
