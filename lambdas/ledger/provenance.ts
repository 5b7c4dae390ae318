import type { Provenance } from '../core/artifact';
import type { BuildRecord } from '../ports/ledger-store';

/** A build fact the image's labels state differently. */
export interface ProvenanceMismatch {
  readonly field: 'revision' | 'source' | 'buildId' | 'pipeline';
  readonly label: string;
  readonly build: string;
}

/** `git+https://GitHub.com/org/app.git/` and `https://github.com/org/app` are one repository. */
function sameRepository(a: string, b: string): boolean {
  const norm = (uri: string) => {
    const u = uri.trim().replace(/^git\+/, '').replace(/\/+$/, '').replace(/\.git$/, '');
    const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/]+)(.*)$/i.exec(u);
    return m ? `${(m[1] as string).toLowerCase()}${(m[2] as string).toLowerCase()}${m[3] as string}` : u;
  };
  return norm(a) === norm(b);
}

/** A short commit id (at least 7 hex digits) names the full one it starts. */
function sameCommit(a: string, b: string): boolean {
  const x = a.trim().toLowerCase();
  const y = b.trim().toLowerCase();
  if (x === y) return true;
  const [short, long] = x.length < y.length ? [x, y] : [y, x];
  return /^[0-9a-f]{7,}$/.test(short) && /^[0-9a-f]+$/.test(long) && long.startsWith(short);
}

/**
 * Where the labels and the build record disagree. A fact missing on either side is no
 * disagreement (the build record then supplies it); the author is not compared (labels name
 * people in free form).
 */
export function provenanceMismatches(labels: Provenance, build: BuildRecord): ProvenanceMismatch[] {
  const out: ProvenanceMismatch[] = [];
  const check = (field: ProvenanceMismatch['field'], label: string | undefined, recorded: string, same: (a: string, b: string) => boolean) => {
    if (label && recorded && !same(label, recorded)) out.push({ field, label, build: recorded });
  };
  check('revision', labels.revision, build.commit, sameCommit);
  check('source', labels.source, build.source, sameRepository);
  check('buildId', labels.buildId, build.buildId, (a, b) => a === b);
  check('pipeline', labels.pipeline, build.pipeline, (a, b) => a === b);
  return out;
}
