import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Headless Chromium (Debian's `chromium`, installed by scripts/prerequisites.ts) for tests of
 * pages we generate. Every run gets its own profile, cannot resolve any host name, writes a
 * NetLog, and is killed (with its child processes) after a deadline, so a test never hangs.
 * Chromium's stderr (dbus and GPU warnings in a container) is ignored: the exit status and the
 * outputs are what count.
 */
export const CHROMIUM = process.env.AG_TEST_CHROMIUM ?? 'chromium';

/** Throws (the test fails) when Chromium is not installed: the prerequisites install it, so it is never skipped. */
export function requireChromium(): void {
  if (spawnSync(CHROMIUM, ['--version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error(`${CHROMIUM} is not installed: run npm run test:integration as root (scripts/prerequisites.ts installs Debian's chromium) or apt-get install chromium`);
  }
}

export interface ChromiumRun {
  readonly stdout: string;
  /** Requests a document made (the page, its frames, their subresources), from the NetLog; the browser's own background requests are not counted. */
  readonly pageRequests: readonly string[];
}

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-extensions',
  // Nothing the page asks for can reach a network: every name fails to resolve.
  '--host-resolver-rules=MAP * ~NOTFOUND',
];

/** Runs Chromium on a file:// page with extra arguments (`--dump-dom`, `--screenshot=FILE`); rejects on a non-zero exit or the deadline. */
export async function runChromium(work: string, page: string, args: readonly string[], timeoutMs = 60_000): Promise<ChromiumRun> {
  const dir = fs.mkdtempSync(path.join(work, 'chromium-'));
  const netLog = path.join(dir, 'netlog.json');
  const child = spawn(CHROMIUM, [...FLAGS, `--user-data-dir=${path.join(dir, 'profile')}`, `--log-net-log=${netLog}`, ...args, `file://${page}`], { stdio: ['ignore', 'pipe', 'ignore'], detached: true });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const code = await new Promise<number | string | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Its renderer and utility processes share its process group.
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // It ended meanwhile.
      }
      resolve(`killed after ${timeoutMs} ms`);
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (c, signal) => {
      clearTimeout(timer);
      resolve(c ?? signal);
    });
  });
  if (code !== 0) throw new Error(`${CHROMIUM} ${args.join(' ')} ${page}: ${String(code)}`);
  return { stdout, pageRequests: pageRequestsIn(fs.readFileSync(netLog, 'utf8')) };
}

interface NetLog {
  readonly constants: { readonly logEventTypes: Readonly<Record<string, number>> };
  readonly events: readonly { readonly type: number; readonly params?: { readonly url?: string; readonly initiator?: string } }[];
}

/**
 * URLs of the URL_REQUEST_START_JOB events a document initiated. A file:// document's requests
 * carry the opaque origin `null` as initiator; the browser's own (component updater, time
 * service, account checks) carry `not an origin`.
 */
function pageRequestsIn(text: string): string[] {
  const log = JSON.parse(text) as NetLog;
  const start = log.constants.logEventTypes.URL_REQUEST_START_JOB;
  if (start === undefined) throw new Error('NetLog without URL_REQUEST_START_JOB: cannot tell what the page requested');
  return log.events.filter((e) => e.type === start && e.params?.url !== undefined && e.params.initiator !== 'not an origin').map((e) => e.params?.url ?? '');
}
