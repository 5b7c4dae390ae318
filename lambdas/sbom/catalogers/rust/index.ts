import type { SyncCataloger } from '../../package';
import { EXECUTABLE_HEAD, executableFormat, isExecutableCandidate } from '../common/binary';
import { parseRustAudit } from './parse-audit';
import { cargoPurl } from './purl';

/** Rust executables built with cargo-auditable, recognised by content (see `ContentMatcher`). */
export const rustCataloger: SyncCataloger = {
  name: 'rust',
  // Read whole (section tables sit at the end); bigger executables are skipped with a warning.
  maxFileSize: 48 * 1024 * 1024,
  wants: () => false,
  content: {
    candidate: isExecutableCandidate,
    headBytes: EXECUTABLE_HEAD,
    inspect: (head) => executableFormat(head) !== undefined,
  },
  parse: parseRustAudit,
  purl: cargoPurl,
};
