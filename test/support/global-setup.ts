import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startRegistry } from './registry';

/** Starts one real registry for the whole run; tests read its address from AG_TEST_REGISTRY. */
export default async function globalSetup(): Promise<void> {
  const reg = await startRegistry();
  process.env.AG_TEST_REGISTRY = reg.host;
  const stateFile = path.join(os.tmpdir(), `ag-test-registry-${process.pid}.json`);
  fs.writeFileSync(stateFile, JSON.stringify(reg));
  process.env.AG_TEST_REGISTRY_STATE = stateFile;
}
