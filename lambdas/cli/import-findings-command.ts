import * as path from 'node:path';
import { FsBlobStore } from '../adapters/local/fs-blob-store';
import { readUserFile } from '../adapters/local/read-user-file';
import { BadInputError } from '../core/errors';
import { openLocalLedger } from '../local/ledger';
import { localPaths } from '../local/paths';
import { memberTargets, planArtifact } from '../oci/artifact-plan';
import { parseOpinion } from '../vuln/imports/parse';
import { whyNotApplicable, type JudgedManifest } from '../vuln/imports/subject-check';
import { recordOpinion } from '../workflow/opinion-evidence';
import { oneOf, parseCommand } from './args';
import type { CommandResult } from './command';
import { usageLine } from './command-specs';
import { progressDisplay } from './progress-render';
import { openSigningSource } from './signing-wiring';

/**
 * `import-findings REF FILE`: another scanner's report for REF's digest, checked to be about
 * that digest (or one of its platform manifests), stored write-once in the local evidence folder
 * and recorded in the local ledger with an audit event. Exit 0 recorded (or already recorded),
 * 2 a report that is not about REF, malformed, or unreadable.
 */
export async function importFindingsCommand(argv: string[]): Promise<CommandResult> {
  const { values, positionals } = parseCommand('import-findings', argv);
  const [ref, file] = positionals as [string, string];
  const format = oneOf('import-findings', '-o', values.output, ['text', 'json'] as const, 'text');
  const bytes = readUserFile(file, 'report');
  const report = parseOpinion(bytes.toString('utf8'), path.basename(file));
  const display = progressDisplay(values);
  try {
    const source = await openSigningSource('import-findings', ref, values.insecure, display);
    const root = await source.resolve();
    const manifests: JudgedManifest[] = [{ root: root.digest, manifest: root.digest }];
    if (root.manifest.kind === 'index') {
      for (const t of memberTargets(await planArtifact(source, root))) manifests.push({ root: root.digest, manifest: t.digest, ...(t.platform ? { platform: t.platform } : {}) });
    }
    const reasons = manifests.map((m) => whyNotApplicable(report, m));
    const applies = manifests.find((_, i) => reasons[i] === undefined);
    if (!applies) throw new BadInputError(`import-findings: refused: ${reasons[0] ?? 'the report is not about REF'} (usage: ${usageLine('import-findings')})`);
    const repositoryName = source.writer?.repositoryName ?? source.display;
    const ledger = await openLocalLedger(undefined, { quiet: values.quiet });
    try {
      const recorded = await recordOpinion({ records: ledger.records, evidence: new FsBlobStore(localPaths().home) }, { repositoryName, digest: root.digest, manifest: applies.manifest }, report, bytes, ledger.caller, new Date());
      const doc = { repository: repositoryName, digest: root.digest, kind: recorded.kind, outcome: recorded.outcome, ...recorded.summary, location: recorded.location };
      const stdout =
        format === 'json'
          ? `${JSON.stringify(doc, null, 2)}\n`
          : `${recorded.outcome === 'created' ? 'recorded' : 'already recorded'} ${report.tool.name}${report.tool.version ? ` ${report.tool.version}` : ''} report for ${repositoryName}@${root.digest}${applies.manifest !== root.digest ? ` (manifest ${applies.manifest})` : ''}: ${report.findings.length} finding(s); evidence ${recorded.location}\n`;
      return { exitCode: 0, stdout };
    } finally {
      await ledger.close();
    }
  } finally {
    display.end();
  }
}
