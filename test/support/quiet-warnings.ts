// The AWS SDK warns once per process under Node 20 about its future Node 22 requirement; in
// test output that line hides real warnings. Everything else still prints.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const text = typeof warning === 'string' ? warning : warning.message;
  if (/AWS SDK for JavaScript \(v3\)/.test(text)) return;
  (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;
