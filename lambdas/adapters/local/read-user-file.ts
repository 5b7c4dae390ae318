import * as fs from 'node:fs';
import { BadInputError, NotFoundError } from '../../core/errors';

/**
 * Reads a file the user named on the command line (`what` says which: "key file", "predicate
 * file"): a missing file is a NotFoundError, any other failure one BadInputError line.
 */
export function readUserFile(path: string, what: string): Buffer {
  try {
    return fs.readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new NotFoundError(`${what} ${path} not found`);
    throw new BadInputError(`cannot read ${what} ${path}: ${code ?? (err as Error).message}`);
  }
}
