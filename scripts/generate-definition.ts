/**
 * Build step: writes the stack's state machine definition as plain ASL for the local runner,
 * so that `artifact-guard process` runs the very workflow `cdk deploy` deploys without loading
 * aws-cdk-lib. A test proves the committed file equals a fresh synth.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { definitionFromTemplate } from '../lib/template-definition';
import { synthTemplate } from '../lib/synth-offline';

export const DEFINITION_FILE = path.join(__dirname, '..', 'lambdas', 'workflow', 'state-machine.asl.json');
/** The weekly full re-scan (lib/vulnerability-watch.ts), for the local runner's re-scan. */
export const RESCAN_DEFINITION_FILE = path.join(__dirname, '..', 'lambdas', 'workflow', 'watch', 'rescan.asl.json');

const template = synthTemplate().toJSON() as Parameters<typeof definitionFromTemplate>[0];
for (const [file, machine] of [
  [DEFINITION_FILE, 'Workflow'],
  [RESCAN_DEFINITION_FILE, 'FullRescan'],
] as const) {
  const text = `${JSON.stringify(definitionFromTemplate(template, machine), null, 2)}\n`;
  const previous = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  if (previous !== text) {
    fs.writeFileSync(file, text);
    console.error(`generate-definition: wrote ${path.relative(process.cwd(), file)}`);
  }
}
