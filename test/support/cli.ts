import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const CLI = path.join(__dirname, '..', '..', 'dist', 'bin', 'artifact-guard.js');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built CLI (`npm test` builds it first) as a user would. */
export function runCli(args: string[], env: Record<string, string | undefined> = {}, nodeArgs: string[] = [], cwd?: string): Promise<CliResult> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run the tests with npm test (it builds the CLI)`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], ...(cwd ? { cwd } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** One clear error line on stderr (progress lines aside), no stack trace. */
export function expectOneErrorLine(res: CliResult): string {
  const lines = res.stderr.trim().split('\n').filter((l) => l.startsWith('artifact-guard:') || /error/i.test(l));
  if (lines.length !== 1 || /\n\s+at /.test(res.stderr)) throw new Error(`expected one error line, got:\n${res.stderr}`);
  return lines[0] as string;
}
