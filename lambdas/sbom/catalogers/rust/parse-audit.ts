import * as zlib from 'node:zlib';
import type { CatalogedPackage, ParseResult } from '../../cataloger';
import { findSection, sectionData } from '../common/binary';
import { catalogExecutables } from '../common/executables';
import { clip, MAX_FIELD } from '../common/text';

/**
 * cargo-auditable's dependency list: zlib-compressed JSON (`{"packages":[{"name","version",
 * "source","kind","dependencies","root"}]}`) in a `.dep-v0` section (ELF, PE; Mach-O too, where
 * some writers spell it `__dep_v0`), or the older rust-audit section names.
 */
const SECTIONS = ['.dep-v0', '__dep_v0', '.rust-deps-v0', 'rdep-v0', 'rust-deps-v0'];

/** The compressed section is a few KiB; its JSON is bounded to keep a zlib bomb harmless. */
const MAX_JSON = 8 * 1024 * 1024;
const MAX_PACKAGES = 100_000;

function sourceOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { Other?: unknown }).Other === 'string') return (value as { Other: string }).Other;
  return undefined;
}

/**
 * Every crate the binary was built from, from its cargo-auditable data. Build-time crates
 * (`"kind": "build"`: proc-macros, build scripts) are kept and marked `dependencyKind: build`,
 * since the issue asks for every crate; Syft drops them. Executables without the section yield
 * nothing and no warning (most executables are not Rust); a section that cannot be read yields a
 * warning.
 */
export function parseRustAudit(path: string, content: Buffer): ParseResult {
  return catalogExecutables(path, content, (x, warnings) => {
    const section = findSection(x, SECTIONS);
    if (!section) return [];
    const data = sectionData(x, section);
    if (!data || data.length < section.size) {
      warnings.add(`cargo-auditable section ${section.name} lies outside the file (truncated executable?)`);
      return [];
    }
    let json: Buffer;
    try {
      json = zlib.inflateSync(data, { maxOutputLength: MAX_JSON });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      warnings.add(code === 'ERR_BUFFER_TOO_LARGE' ? `cargo-auditable data inflates beyond ${MAX_JSON} bytes; not read` : `cargo-auditable data is not valid zlib data: ${(err as Error).message}`);
      return [];
    }
    let doc: unknown;
    try {
      doc = JSON.parse(json.toString('utf8'));
    } catch (err) {
      warnings.add(`cargo-auditable data is not valid JSON: ${(err as Error).message}`);
      return [];
    }
    const list = (doc as { packages?: unknown })?.packages;
    if (!Array.isArray(list)) {
      warnings.add('cargo-auditable data has no "packages" array');
      return [];
    }
    const format = (doc as { format?: unknown }).format;
    const packages: CatalogedPackage[] = [];
    for (const [i, raw] of list.slice(0, MAX_PACKAGES).entries()) {
      const p = raw as Record<string, unknown> | null;
      const name = p && typeof p.name === 'string' ? p.name.trim() : '';
      const version = p && typeof p.version === 'string' ? p.version.trim() : '';
      if (!name || !version) {
        warnings.add(`cargo-auditable package ${i} without a name and version; skipped`);
        continue;
      }
      const source = sourceOf(p?.source);
      const metadata: Record<string, string> = {};
      if (source) metadata.source = clip(source, MAX_FIELD);
      if (p?.kind === 'build') metadata.dependencyKind = 'build';
      if (p?.root === true) metadata.root = 'true';
      if (typeof format === 'number') metadata.auditFormat = String(format);
      if (x.arch) metadata.arch = x.arch;
      packages.push({ ecosystem: 'rust', name: clip(name, MAX_FIELD), version: clip(version, MAX_FIELD), licenses: [], metadata });
    }
    if (list.length > MAX_PACKAGES) warnings.add(`more than ${MAX_PACKAGES} crates in the cargo-auditable data; the rest were dropped`);
    return packages;
  });
}
