import * as fs from 'node:fs';
import type { RunningRegistry } from './registry';
import { stopRegistry } from './registry';

export default async function globalTeardown(): Promise<void> {
  const stateFile = process.env.AG_TEST_REGISTRY_STATE;
  if (!stateFile || !fs.existsSync(stateFile)) return;
  const reg = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as RunningRegistry;
  stopRegistry(reg);
  fs.rmSync(stateFile, { force: true });
}
