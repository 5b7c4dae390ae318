'use strict';
/**
 * Runs one Lambda bundle the way the nodejs runtime does, in its own Node process: the bundle's
 * index.js is loaded once (its module-level code is the function's init), then each invocation
 * from the parent (IPC: { id, event }) calls its `handler` export; the answer is the result or
 * the error's name and message (Step Functions matches Retry/Catch on the name, as Lambda's
 * errorType). Started by test/support/lambda-bundles.ts with the function's environment.
 */
const file = process.argv[2];
let mod;
try {
  mod = require(file);
} catch (err) {
  process.send({ initError: { name: err && err.name, message: err && err.message, stack: err && err.stack } });
  process.exit(1);
}
if (typeof mod.handler !== 'function') {
  process.send({ initError: { name: 'Runtime.HandlerNotFound', message: `${file} exports no handler` } });
  process.exit(1);
}
process.on('message', (msg) => {
  const context = { functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, awsRequestId: String(msg.id), getRemainingTimeInMillis: () => 60000 };
  Promise.resolve()
    .then(() => mod.handler(msg.event, context))
    .then(
      (result) => process.send({ id: msg.id, result }),
      (err) => process.send({ id: msg.id, error: { name: (err && err.name) || 'Error', message: (err && err.message) || String(err) } }),
    );
});
process.send({ ready: true });
