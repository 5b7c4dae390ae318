import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * A fake docker credential helper: an executable `docker-credential-NAME` shell script in `dir`
 * (put `dir` on PATH) that answers `get` as docker's helpers do and appends what it read on
 * stdin, then a newline, to `NAME.calls` beside it.
 */
export type HelperAnswer =
  | { readonly username: string; readonly secret: string }
  | 'not-found'
  | { readonly fail: string; readonly exitCode?: number }
  | { readonly raw: string };

export function writeCredentialHelper(dir: string, name: string, answer: HelperAnswer): { readonly calls: () => string[] } {
  const callsFile = path.join(dir, `${name}.calls`);
  let out: string;
  let code = 0;
  if (answer === 'not-found') {
    out = 'credentials not found in native keychain';
    code = 1;
  } else if ('fail' in answer) {
    out = answer.fail;
    code = answer.exitCode ?? 1;
  } else if ('raw' in answer) {
    out = answer.raw;
  } else {
    out = JSON.stringify({ ServerURL: '', Username: answer.username, Secret: answer.secret });
  }
  const script = [
    '#!/bin/sh',
    'if [ "$1" != "get" ]; then echo "unexpected command $1"; exit 1; fi',
    `cat >> '${callsFile}'`,
    `printf '\\n' >> '${callsFile}'`,
    "cat <<'ANSWER'",
    out,
    'ANSWER',
    `exit ${code}`,
    '',
  ].join('\n');
  const file = path.join(dir, `docker-credential-${name}`);
  fs.writeFileSync(file, script, { mode: 0o755 });
  return {
    calls: () => (fs.existsSync(callsFile) ? fs.readFileSync(callsFile, 'utf8').split('\n').slice(0, -1) : []),
  };
}

/** Writes `config.json` in `dir` (a DOCKER_CONFIG directory) and returns its path. */
export function writeDockerConfig(dir: string, config: unknown): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'config.json');
  fs.writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config));
  return file;
}

export const basicAuth = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString('base64');
