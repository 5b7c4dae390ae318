/**
 * A table lookup by a key that came from outside (a purl type, a distro codename, a severity
 * word, a licence name): only the table's own entries answer. A plain `TABLE[key]` answers
 * `constructor`, `toString` or `__proto__` with Object.prototype's members, a function where the
 * type says string, which then passes for a match.
 */
export function ownEntry<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}
