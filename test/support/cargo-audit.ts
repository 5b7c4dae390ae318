/** Audit data as cargo-auditable writes it (format 1; `kind` omitted for runtime, `root` only on the root). */
export const CARGO_AUDIT = {
  format: 1,
  packages: [
    { name: 'hello-audited', version: '0.1.0', source: 'local', dependencies: [1, 2, 4], root: true },
    { name: 'serde', version: '1.0.197', source: 'crates.io', dependencies: [3] },
    { name: 'regex', version: '1.10.3', source: 'crates.io' },
    { name: 'serde_derive', version: '1.0.197', source: 'crates.io', kind: 'build' },
    { name: 'forked-util', version: '0.3.0-alpha.1', source: 'git' },
    { name: 'private-crate', version: '2.0.0', source: { Other: 'registry+https://example.com/index' } },
  ],
};
