import type { SyncCataloger } from '../../cataloger';
import { parseComposerInstalled } from './parse-installed-json';
import { composerPurl } from './purl';

const FILE = 'vendor/composer/installed.json';

/** `vendor/composer/installed.json` at the root of a PHP project, at any depth. */
export function isComposerInstalled(path: string): boolean {
  return path.endsWith(FILE) && (path.length === FILE.length || path.charCodeAt(path.length - FILE.length - 1) === 47 /* / */);
}

/** PHP packages Composer installed into a project's vendor directory. */
export const phpCataloger: SyncCataloger = {
  name: 'php',
  maxFileSize: 16 * 1024 * 1024,
  wants: isComposerInstalled,
  parse: parseComposerInstalled,
  purl: composerPurl,
};
