/**
 * The one place vulnerability data is chosen, for the CLI, the local runner and the Lambdas:
 * `--osv-dir DIR|ZIP` or `--osv-api` on the command line, else the environment
 * (`ARTIFACT_GUARD_OSV_DIR`, `ARTIFACT_GUARD_OSV_MIRROR=s3://BUCKET/KEY` where a mirror reader is
 * given, `ARTIFACT_GUARD_OSV_API=1` or a base URL), else none. "None" is a real answer: callers
 * must say the scan could not run, never report a clean result.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BadInputError } from '../../core/errors';
import { MIRROR_MANIFEST, OsvMirrorStore } from '../mirror/mirror-store';
import { DirectoryBlobs } from '../mirror/directory-blobs';
import { MirrorOsvSource } from './mirror-source';
import type { Progress } from '../../ports/progress';
import type { VulnerabilitySource } from '../vulnerability-source';
import { OfflineOsvSource } from './offline-source';
import { DEFAULT_OSV_API, OsvApiSource } from './osv-api';

export interface SourceFlags {
  readonly osvDir?: string;
  readonly osvApi?: boolean;
}

export interface SourceOptions {
  readonly log?: (line: string) => void;
  /** Loading (offline data) and querying (the API) progress, and the API's requests. */
  readonly progress?: Progress;
  /** Reads an `s3://` mirror (the AWS adapter; absent locally, where a mirror URI is an error). */
  readonly mirror?: (uri: string) => VulnerabilitySource;
}

export const SOURCE_HINT = 'use --osv-dir DIR|ZIP or --osv-api, or set ARTIFACT_GUARD_OSV_DIR or ARTIFACT_GUARD_OSV_API=1';

const truthy = (v: string | undefined): boolean => !!v && !/^(0|false|no|off)$/i.test(v);

/** The API base URL: `ARTIFACT_GUARD_OSV_API` when it is a URL, else `ARTIFACT_GUARD_OSV_API_URL`, else osv.dev. */
function apiUrl(env: NodeJS.ProcessEnv): string {
  const v = env.ARTIFACT_GUARD_OSV_API;
  if (v && /^https?:\/\//.test(v)) return v;
  return env.ARTIFACT_GUARD_OSV_API_URL || DEFAULT_OSV_API;
}

/** `--osv-dir DIR` where DIR is an OSV mirror (it holds `mirror.json`): read with its layout and freshness. */
function fromPath(location: string, env: NodeJS.ProcessEnv, opts: SourceOptions): VulnerabilitySource {
  const abs = path.resolve(location);
  if (fs.existsSync(path.join(abs, MIRROR_MANIFEST))) {
    const hours = Number(env.ARTIFACT_GUARD_OSV_MIRROR_MAX_AGE_HOURS);
    return new MirrorOsvSource(new OsvMirrorStore(new DirectoryBlobs(abs)), { now: () => new Date(), ...(hours > 0 ? { maxAgeMs: hours * 3600_000 } : {}) });
  }
  return OfflineOsvSource.fromPath(location, opts.progress);
}

export function configuredSource(flags: SourceFlags, env: NodeJS.ProcessEnv = process.env, opts: SourceOptions = {}): VulnerabilitySource | undefined {
  if (flags.osvDir && flags.osvApi) throw new BadInputError('--osv-dir and --osv-api are alternatives: give one');
  if (flags.osvDir) return fromPath(flags.osvDir, env, opts);
  if (flags.osvApi) return new OsvApiSource({ baseUrl: apiUrl(env), log: opts.log, progress: opts.progress });
  if (env.ARTIFACT_GUARD_OSV_DIR) return fromPath(env.ARTIFACT_GUARD_OSV_DIR, env, opts);
  const mirror = env.ARTIFACT_GUARD_OSV_MIRROR;
  if (mirror) {
    if (!opts.mirror) throw new BadInputError(`ARTIFACT_GUARD_OSV_MIRROR=${mirror}: an S3 mirror is read in AWS only; locally use ARTIFACT_GUARD_OSV_DIR`);
    return opts.mirror(mirror);
  }
  if (truthy(env.ARTIFACT_GUARD_OSV_API)) return new OsvApiSource({ baseUrl: apiUrl(env), log: opts.log, progress: opts.progress });
  return undefined;
}
