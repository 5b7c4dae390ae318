import * as fs from 'node:fs';
import initSqlJs from 'sql.js';
import type { SqlJsStatic } from 'sql.js';

let engine: Promise<SqlJsStatic> | undefined;

/** SQLite itself (sql.js, WebAssembly), for tests: builds and edits databases, and is the oracle of the rpm cataloger's reader. */
export function sqlite(): Promise<SqlJsStatic> {
  engine ??= (async () => {
    const wasm = fs.readFileSync(require.resolve('sql.js/dist/sql-wasm.wasm'));
    return initSqlJs({ wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer });
  })();
  return engine;
}
