import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository root, whether a script runs from source (scripts/) or compiled (dist/scripts/). */
export const REPO_ROOT = ((): string => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = up;
  }
  return dir;
})();
