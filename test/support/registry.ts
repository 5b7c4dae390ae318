import { spawn, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/** A Debian `docker-registry` (distribution 2.8) on 127.0.0.1, storage in a temp dir. */
export interface RunningRegistry {
  readonly host: string;
  readonly dir: string;
  readonly pid: number;
}

export function findRegistryBinary(): string {
  for (const candidate of ['/usr/bin/docker-registry', '/usr/local/bin/docker-registry']) {
    if (fs.existsSync(candidate)) return candidate;
  }
  try {
    return execFileSync('sh', ['-c', 'command -v docker-registry'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      'docker-registry is not installed: the integration tests need Debian\'s docker-registry. ' +
        'Run `npm test` as root (it installs it) or `apt-get install docker-registry`.',
    );
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startRegistry(): Promise<RunningRegistry> {
  const bin = findRegistryBinary();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-registry-'));
  const port = await freePort();
  const config = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${dir}/data`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '  secret: test-only-not-secret',
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'config.yml'), config);
  const log = fs.openSync(path.join(dir, 'registry.log'), 'w');
  const child = spawn(bin, ['serve', path.join(dir, 'config.yml')], { detached: true, stdio: ['ignore', log, log] });
  child.unref();
  const host = `127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(`http://${host}/v2/`);
      if (res.status === 200) return { host, dir, pid: child.pid ?? 0 };
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  stopRegistry({ host, dir, pid: child.pid ?? 0 });
  throw new Error(`docker-registry did not start on ${host}: ${fs.readFileSync(path.join(dir, 'registry.log'), 'utf8')}`);
}

export function stopRegistry(reg: RunningRegistry): void {
  try {
    if (reg.pid) process.kill(reg.pid, 'SIGTERM');
  } catch {
    // already gone
  }
  fs.rmSync(reg.dir, { recursive: true, force: true });
}
