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

const definition = definitionFromTemplate(synthTemplate().toJSON() as Parameters<typeof definitionFromTemplate>[0]);
const text = `${JSON.stringify(definition, null, 2)}\n`;
const previous = fs.existsSync(DEFINITION_FILE) ? fs.readFileSync(DEFINITION_FILE, 'utf8') : '';
if (previous !== text) {
  fs.writeFileSync(DEFINITION_FILE, text);
  console.error(`generate-definition: wrote ${path.relative(process.cwd(), DEFINITION_FILE)}`);
}
