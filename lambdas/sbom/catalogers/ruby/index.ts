import type { SyncCataloger } from '../../cataloger';
import { parseGemspec } from './parse-gemspec';
import { gemPurl } from './purl';

const SUFFIX = '.gemspec';

/**
 * An installed gem's specification: `…/specifications/<name>-<version>.gemspec`, or a default
 * gem's `…/specifications/default/<name>-<version>.gemspec`, wherever the gem home is (system
 * Ruby, `/usr/local/bundle`, a vendored `vendor/bundle/ruby/3.x.0`, Debian's rubygems-integration).
 * Gemspecs in a project checkout (`app/foo.gemspec`) describe source trees, not installed gems.
 */
export function isInstalledGemspec(path: string): boolean {
  if (!path.endsWith(SUFFIX)) return false;
  const slash = path.lastIndexOf('/');
  if (slash <= 0 || path.length - slash - 1 <= SUFFIX.length) return false;
  const parent = path.lastIndexOf('/', slash - 1);
  const dir = path.slice(parent + 1, slash);
  if (dir === 'specifications') return true;
  if (dir !== 'default' || parent <= 0) return false;
  return path.slice(path.lastIndexOf('/', parent - 1) + 1, parent) === 'specifications';
}

/** RubyGems installed anywhere in the image, from their specifications (never evaluated). */
export const rubyCataloger: SyncCataloger = {
  name: 'ruby',
  maxFileSize: 1024 * 1024,
  wants: isInstalledGemspec,
  parse: parseGemspec,
  purl: gemPurl,
};
