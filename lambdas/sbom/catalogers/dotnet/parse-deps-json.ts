import type { CatalogedPackage, ParseResult } from '../../cataloger';
import { clip, MAX_FIELD, MAX_METADATA, parseJsonDocument, WarningSink } from '../common/text';

/** Library types that are NuGet packages shipped with the application. */
const PACKAGE_TYPES = new Set(['package', 'runtimepack']);
const MAX_LIBRARIES = 100_000;

/**
 * A .NET application's dependency manifest (`<app>.deps.json`, written by `dotnet build` and
 * `dotnet publish`): every `libraries` entry `"<Name>/<Version>"` of type `package` is a NuGet
 * package the application loads; `runtimepack` entries (the runtime inside a self-contained
 * app, e.g. Microsoft.NETCore.App.Runtime.linux-x64) are NuGet packages too and are kept, marked
 * by type. `project` (the app and its project references) and `referenceassembly` entries are
 * not packages. Names keep their case, as NuGet displays them.
 */
export function parseDepsJson(path: string, content: Buffer): ParseResult {
  const warnings = new WarningSink(path);
  const doc = parseJsonDocument(content, warnings);
  if (doc === undefined) return { packages: [], warnings: warnings.list() };
  const libraries = doc && typeof doc === 'object' ? (doc as { libraries?: unknown }).libraries : undefined;
  if (!libraries || typeof libraries !== 'object' || Array.isArray(libraries)) {
    warnings.add('no "libraries" object: not a .deps.json file');
    return { packages: [], warnings: warnings.list() };
  }
  const target = (doc as { runtimeTarget?: { name?: unknown } }).runtimeTarget?.name;
  const packages: CatalogedPackage[] = [];
  const entries = Object.entries(libraries as Record<string, unknown>);
  for (const [key, raw] of entries.slice(0, MAX_LIBRARIES)) {
    const lib = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
    const type = typeof lib.type === 'string' ? lib.type.toLowerCase() : '';
    if (!PACKAGE_TYPES.has(type)) continue;
    const slash = key.lastIndexOf('/');
    const name = slash > 0 ? key.slice(0, slash).trim() : '';
    const version = slash > 0 ? key.slice(slash + 1).trim() : '';
    if (!name || !version) {
      warnings.add(`library ${JSON.stringify(clip(key, 60))} is not "Name/Version"; skipped`);
      continue;
    }
    const metadata: Record<string, string> = {};
    if (type !== 'package') metadata.type = type;
    if (typeof lib.sha512 === 'string' && lib.sha512) metadata.sha512 = clip(lib.sha512, MAX_METADATA);
    if (typeof lib.path === 'string' && lib.path) metadata.path = clip(lib.path, MAX_METADATA);
    if (typeof target === 'string' && target) metadata.runtimeTarget = clip(target, MAX_METADATA);
    packages.push({ ecosystem: 'dotnet', name: clip(name, MAX_FIELD), version: clip(version, MAX_FIELD), licenses: [], ...(Object.keys(metadata).length ? { metadata } : {}) });
  }
  if (entries.length > MAX_LIBRARIES) warnings.add(`more than ${MAX_LIBRARIES} libraries; the rest were dropped`);
  return { packages, warnings: warnings.list() };
}
