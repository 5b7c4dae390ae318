import * as fs from 'node:fs';
import { BadInputError } from '../core/errors';
import { localPaths } from '../local/paths';
import { usageLine } from './command-specs';

/** The development key's public half (`process` signs with it locally), for commands given no --key. */
export function defaultPublicKeys(command: 'gate' | 'policy' | 'promote'): string[] {
  const dev = `${localPaths().signingKey.replace(/\.pem$/, '')}.pub`;
  if (!fs.existsSync(dev)) throw new BadInputError(`${command}: no --key given and no local development key at ${dev} (it is made by 'artifact-guard process'; usage: ${usageLine(command)})`);
  return [dev];
}
