import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunningRegistry } from './registry';

/** The registry started by global setup. */
export function testRegistry(): RunningRegistry {
  const state = process.env.AG_TEST_REGISTRY_STATE;
  if (!state || !process.env.AG_TEST_REGISTRY) throw new Error('test registry not started: run the tests through jest (global setup)');
  return JSON.parse(fs.readFileSync(state, 'utf8')) as RunningRegistry;
}

/** Path of a blob's bytes inside distribution's filesystem storage (to corrupt it on purpose). */
export function storedBlobPath(reg: RunningRegistry, digest: string): string {
  const hex = digest.split(':')[1] as string;
  return path.join(reg.dir, 'data', 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
}

let counter = 0;
/** A repository name no other test uses. */
export function uniqueRepo(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}
