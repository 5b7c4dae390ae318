import type { SyncCataloger } from '../../cataloger';
import { EXECUTABLE_CONTENT, MAX_EXECUTABLE_SIZE } from '../common/executables';
import { parseRustAudit } from './parse-audit';
import { cargoPurl } from './purl';

/** Rust executables built with cargo-auditable, recognised by content (see `ContentMatcher`). */
export const rustCataloger: SyncCataloger = {
  name: 'rust',
  maxFileSize: MAX_EXECUTABLE_SIZE,
  wants: () => false,
  content: EXECUTABLE_CONTENT,
  parse: parseRustAudit,
  purl: cargoPurl,
};
