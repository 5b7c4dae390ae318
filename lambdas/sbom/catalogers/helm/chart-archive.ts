import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { decompressor, PIPE_BUFFER } from '../../decompress';
import { rootRelative } from '../../layers/scan-layer';
import { TarReader } from '../../tar-reader';

/**
 * What one chart (the archive and every subchart archive nested in it) may cost. Helm's own
 * loader refuses archives over these decompressed sizes (pkg/chart/loader: MaxDecompressedChartSize,
 * MaxDecompressedFileSize), so a chart over them cannot be installed either.
 */
export const CHART_LIMITS = {
  /** Bytes decompressed from the archive and all nested subchart archives together. */
  maxDecompressed: 100 * 1024 * 1024,
  /** One file inside an archive. */
  maxFile: 5 * 1024 * 1024,
  /** Chart files held in memory at once (metadata, values, templates, subchart archives). */
  maxKept: 32 * 1024 * 1024,
  /** Subcharts inside subcharts. */
  maxDepth: 8,
  /** Entries in one archive. */
  maxEntries: 20_000,
};

/** Shared by an archive and everything nested in it: what is left to decompress and to keep. */
export interface ChartBudget {
  decompressed: number;
  kept: number;
}

export function newChartBudget(): ChartBudget {
  return { decompressed: CHART_LIMITS.maxDecompressed, kept: CHART_LIMITS.maxKept };
}

export interface ChartFiles {
  /** The archive's top directory (`mychart`), which Helm strips. */
  readonly root: string;
  /** Chart-relative path (`values.yaml`, `templates/x.yaml`, `charts/redis-1.0.0.tgz`) → bytes. */
  readonly files: ReadonlyMap<string, Buffer>;
  /** Entries not read, one line each (they may hide content: gaps). */
  readonly problems: readonly string[];
}

const TOP_FILES = new Set(['Chart.yaml', 'Chart.lock', 'requirements.yaml', 'requirements.lock', 'values.yaml']);

/**
 * The files the SBOM needs from a chart: its metadata, default values and templates, and its
 * subcharts (`charts/<name>.tgz` archives and `charts/<name>/` directories, whose own files
 * follow the same rule). READMEs, `crds/`, `files/` and schemas are not read.
 */
export function isChartFileWanted(path: string): boolean {
  let p = path;
  for (;;) {
    if (TOP_FILES.has(p) || p.startsWith('templates/')) return true;
    if (!p.startsWith('charts/')) return false;
    const rest = p.slice('charts/'.length);
    const slash = rest.indexOf('/');
    if (slash < 0) return rest.endsWith('.tgz');
    p = rest.slice(slash + 1);
  }
}

/**
 * Reads a chart archive (tar+gzip) through the streaming tar reader, with the decompression
 * limits of the budget. Never throws: an archive that cannot be read is `{ error }` (corrupt
 * data, a decompression bomb, a truncated tar). Entries that climb out of the chart, files over
 * Helm's size limit and entries past the memory budget are listed in `problems`.
 */
export async function readChartArchive(tgz: Buffer, what: string, budget: ChartBudget): Promise<ChartFiles | { readonly error: string }> {
  const files = new Map<string, Buffer>();
  const problems: string[] = [];
  let root: string | undefined;
  let entries = 0;
  let pending: string | undefined;
  const problem = (line: string): void => {
    if (problems.length < 50) problems.push(line);
    else if (problems.length === 50) problems.push('more entries were not read');
  };
  const reader = new TarReader(
    {
      onEntry(header) {
        pending = undefined;
        entries += 1;
        if (entries > CHART_LIMITS.maxEntries) {
          if (entries === CHART_LIMITS.maxEntries + 1) problem(`more than ${CHART_LIMITS.maxEntries} entries: the rest are not read`);
          return false;
        }
        const rel = rootRelative(header.name);
        if (rel === undefined) {
          problem(`entry ${JSON.stringify(header.name)} climbs out of the chart (Helm refuses such a chart); ignored`);
          return false;
        }
        const slash = rel.indexOf('/');
        if (slash <= 0) return false;
        const top = rel.slice(0, slash);
        const path = rel.slice(slash + 1);
        root ??= top;
        if (header.type !== 'file' || !isChartFileWanted(path)) return false;
        if (header.size > CHART_LIMITS.maxFile) {
          problem(`${path} is ${header.size} bytes, more than the ${CHART_LIMITS.maxFile} Helm loads (Helm refuses such a chart); not read`);
          return false;
        }
        if (header.size > budget.kept) {
          problem(`${path}: the chart holds more than ${CHART_LIMITS.maxKept} bytes of metadata, values, templates and subcharts; not read`);
          return false;
        }
        budget.kept -= header.size;
        pending = path;
        return true;
      },
      onFile(_header, content) {
        if (pending !== undefined && !files.has(pending)) files.set(pending, content);
        pending = undefined;
      },
    },
    { highWaterMark: PIPE_BUFFER },
  );
  const limits = { maxBytes: Math.max(0, budget.decompressed), maxRatio: 2000, ratioGraceBytes: 256 * 1024 * 1024 };
  const stages = decompressor('gzip', tgz.length, what, limits);
  // The last stage is the limit guard, which counts the bytes it let through.
  const guard = stages[stages.length - 1] as unknown as { out?: number };
  try {
    await pipeline([Readable.from([tgz]), ...stages, reader]);
  } catch (err) {
    const msg = (err as Error).message;
    const code = (err as { code?: string }).code ?? '';
    return { error: code.startsWith('Z_') || /unexpected end of file|incorrect header check/.test(msg) ? `${what}: not a readable gzip archive (${msg})` : msg.startsWith(what) ? msg : `${what}: ${msg}` };
  } finally {
    budget.decompressed -= guard.out ?? 0;
  }
  if (root === undefined) return { error: `${what}: no chart directory in the archive` };
  return { root, files, problems };
}
