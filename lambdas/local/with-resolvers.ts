// aws-local-stepfunctions targets Node 22 (Promise.withResolvers); Node 20 needs this polyfill
// (the same as lambdas/local/runner.ts installs).
const P = Promise as unknown as { withResolvers?: () => unknown };
P.withResolvers ??= () => {
  let resolve: (v: unknown) => void = () => undefined;
  let reject: (e: unknown) => void = () => undefined;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};
export {};
