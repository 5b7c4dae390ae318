/**
 * OSV records found by any id that names their vulnerability: their own id, their aliases,
 * and the CVE a distribution's per-CVE record mirrors (`UBUNTU-CVE-2023-1234` → `CVE-2023-1234`,
 * the rule `sameVulnerabilityIds` applies when merging findings). Withdrawn records are
 * returned like the others: whether they still count is the caller's call.
 */
import { sameVulnerabilityIds } from '../findings';
import type { OsvRecord } from './types';

export class AliasIndex {
  private readonly byId = new Map<string, OsvRecord[]>();

  static build(records: Iterable<OsvRecord>): AliasIndex {
    const index = new AliasIndex();
    for (const r of records) {
      for (const id of new Set(sameVulnerabilityIds(r))) {
        const list = index.byId.get(id);
        if (list) list.push(r);
        else index.byId.set(id, [r]);
      }
    }
    return index;
  }

  /** Records naming any of the ids, each once, in the order the ids are given. */
  find(ids: readonly string[]): OsvRecord[] {
    const out = new Set<OsvRecord>();
    for (const id of ids) for (const r of this.byId.get(id) ?? []) out.add(r);
    return [...out];
  }
}
