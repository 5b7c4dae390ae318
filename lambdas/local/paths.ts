import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Where local runs keep their state. `ARTIFACT_GUARD_HOME` overrides the base
 * (default `$XDG_CONFIG_HOME/artifact-guard` or `~/.config/artifact-guard`).
 */
export function localHome(): string {
  if (process.env.ARTIFACT_GUARD_HOME) return path.resolve(process.env.ARTIFACT_GUARD_HOME);
  const base = process.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'artifact-guard');
}

export function localPaths(home = localHome()) {
  return {
    home,
    records: path.join(home, 'records'),
    evidence: path.join(home, 'evidence'),
    alerts: path.join(home, 'alerts.jsonl'),
    signingKey: path.join(home, 'dev-signing-key.pem'),
    /** Named environments and their policies (`gate --env`, `policy --env`, `promote --env`). */
    environments: path.join(home, 'environments.yaml'),
    /** HMAC key authenticating layer-cache entries: kept in the home, apart from the cache it protects. */
    cacheMacKey: path.join(home, 'cache-mac.key'),
  };
}

/** Layer cache: `ARTIFACT_GUARD_CACHE_DIR`, else `$XDG_CACHE_HOME/artifact-guard` or `~/.cache/artifact-guard`. */
export function cacheDir(): string {
  if (process.env.ARTIFACT_GUARD_CACHE_DIR) return path.resolve(process.env.ARTIFACT_GUARD_CACHE_DIR);
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'artifact-guard');
}
