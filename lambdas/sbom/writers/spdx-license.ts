/**
 * Licence text as packages declare it → an SPDX licence expression, when the text names one
 * without doubt. The catalogers keep what each package says (`MIT License`, `ASL 2.0`,
 * `GPLv2+`, `Apache-2.0 OR MIT`); the SBOM writers and the sbom table ask here for the SPDX form:
 *
 * 1. text that already is an SPDX expression is kept as written (deprecated ids such as
 *    `GPL-2.0+` included: they are valid, and rewriting them would claim more than the package
 *    did);
 * 2. ids and operators in the wrong case are corrected (`apache-2.0 or mit` → `Apache-2.0 OR MIT`,
 *    `BSD-3-clause` → `BSD-3-Clause`) against the SPDX licence list (SPDX 2.3 Annex D: licence
 *    ids match case-insensitively; the operators' case is how people write them in metadata);
 * 3. a licence's name from the table below (`Apache License 2.0` → `Apache-2.0`), also as each
 *    part of `A and B` / `A or B` when every part maps;
 * 4. anything else maps to nothing (undefined): the writers keep the text (a CycloneDX licence
 *    `name`, an SPDX `LicenseRef-…` with the text as its extracted text). An id is never guessed:
 *    `BSD License`, `Apache Software License` and `GPL-2` do not say which BSD, which Apache
 *    version, or whether "or later" applies.
 *
 * Every result is checked with spdx-expression-parse before it is returned.
 */
import type * as CDX from '@cyclonedx/cyclonedx-library';
import { isSpdxExpression } from './spdx-expression';
import { ownEntry } from '../../core/own-entry';

// The library's SPDX entry point is a small JSON list; the root entry point loads much more.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const SPDX = require('@cyclonedx/cyclonedx-library/SPDX') as typeof CDX.SPDX;

/**
 * Licence names → SPDX ids, keyed lower-case with whitespace collapsed. Only names that denote
 * one licence and one version (and say "only" or "or later" where the licence has both):
 *
 * - SPDX License List (https://spdx.org/licenses/), "Full name" column: each id's own name;
 * - OSI's licence names (https://opensource.org/licenses), where they differ from SPDX's;
 * - PyPI trove classifiers (https://pypi.org/classifiers/), the last segment of
 *   `License :: OSI Approved :: …` as the Python cataloger keeps it;
 * - Fedora's legacy RPM `License:` abbreviations (https://docs.fedoraproject.org/en-US/legal/,
 *   "Legacy abbreviations" in fedora-license-data): `ASL 2.0`, `GPLv2+`, …;
 * - Debian copyright-format 1.0 short names with "+"
 *   (https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/#license-specification):
 *   `GPL-2+` is "version 2 or any later version"; a bare `GPL-2` is not mapped, because the dpkg
 *   cataloger also reads names from `/usr/share/common-licenses/GPL-2` references, which do not
 *   say whether later versions apply;
 * - the Apache and Eclipse licences' own titles as Maven POMs carry them.
 */
export const LICENSE_NAMES: Readonly<Record<string, string>> = {
  // Apache
  'apache license 2.0': 'Apache-2.0',
  'apache license, version 2.0': 'Apache-2.0',
  'apache license version 2.0': 'Apache-2.0',
  'the apache license, version 2.0': 'Apache-2.0',
  'the apache software license, version 2.0': 'Apache-2.0',
  'apache software license 2.0': 'Apache-2.0',
  'apache 2.0': 'Apache-2.0',
  'apache-2': 'Apache-2.0',
  'apache 2': 'Apache-2.0',
  'apache2': 'Apache-2.0',
  'asl 2.0': 'Apache-2.0',
  'apache license 1.1': 'Apache-1.1',
  'apache license 1.0': 'Apache-1.0',
  // MIT, ISC, BSD
  'mit license': 'MIT',
  'the mit license': 'MIT',
  'the mit license (mit)': 'MIT',
  expat: 'MIT',
  'isc license': 'ISC',
  'isc license (iscl)': 'ISC',
  'bsd zero clause license': '0BSD',
  'bsd 2-clause "simplified" license': 'BSD-2-Clause',
  'bsd 2-clause license': 'BSD-2-Clause',
  '2-clause bsd license': 'BSD-2-Clause',
  'simplified bsd license': 'BSD-2-Clause',
  'bsd 3-clause "new" or "revised" license': 'BSD-3-Clause',
  'bsd 3-clause license': 'BSD-3-Clause',
  '3-clause bsd license': 'BSD-3-Clause',
  'new bsd license': 'BSD-3-Clause',
  'modified bsd license': 'BSD-3-Clause',
  // GNU
  'gnu general public license v2.0 only': 'GPL-2.0-only',
  'gnu general public license v2.0 or later': 'GPL-2.0-or-later',
  'gnu general public license v3.0 only': 'GPL-3.0-only',
  'gnu general public license v3.0 or later': 'GPL-3.0-or-later',
  'gnu general public license v2 (gplv2)': 'GPL-2.0-only',
  'gnu general public license v2 or later (gplv2+)': 'GPL-2.0-or-later',
  'gnu general public license v3 (gplv3)': 'GPL-3.0-only',
  'gnu general public license v3 or later (gplv3+)': 'GPL-3.0-or-later',
  gplv2: 'GPL-2.0-only',
  'gplv2+': 'GPL-2.0-or-later',
  gplv3: 'GPL-3.0-only',
  'gplv3+': 'GPL-3.0-or-later',
  'gpl-2+': 'GPL-2.0-or-later',
  'gpl-3+': 'GPL-3.0-or-later',
  'gnu library general public license v2 only': 'LGPL-2.0-only',
  'gnu library general public license v2 or later': 'LGPL-2.0-or-later',
  'gnu lesser general public license v2.1 only': 'LGPL-2.1-only',
  'gnu lesser general public license v2.1 or later': 'LGPL-2.1-or-later',
  'gnu lesser general public license v3.0 only': 'LGPL-3.0-only',
  'gnu lesser general public license v3.0 or later': 'LGPL-3.0-or-later',
  'gnu lesser general public license v3 (lgplv3)': 'LGPL-3.0-only',
  'gnu lesser general public license v3 or later (lgplv3+)': 'LGPL-3.0-or-later',
  'lgplv2.1': 'LGPL-2.1-only',
  'lgplv2.1+': 'LGPL-2.1-or-later',
  lgplv3: 'LGPL-3.0-only',
  'lgplv3+': 'LGPL-3.0-or-later',
  'lgpl-2+': 'LGPL-2.0-or-later',
  'lgpl-2.1+': 'LGPL-2.1-or-later',
  'lgpl-3+': 'LGPL-3.0-or-later',
  'gnu affero general public license v3.0 only': 'AGPL-3.0-only',
  'gnu affero general public license v3.0 or later': 'AGPL-3.0-or-later',
  'gnu affero general public license v3': 'AGPL-3.0-only',
  'gnu affero general public license v3 or later (agplv3+)': 'AGPL-3.0-or-later',
  agplv3: 'AGPL-3.0-only',
  'agplv3+': 'AGPL-3.0-or-later',
  'agpl-3+': 'AGPL-3.0-or-later',
  // Mozilla, Eclipse, CDDL
  'mozilla public license 2.0': 'MPL-2.0',
  'mozilla public license 2.0 (mpl 2.0)': 'MPL-2.0',
  'mozilla public license 1.1': 'MPL-1.1',
  'mozilla public license 1.1 (mpl 1.1)': 'MPL-1.1',
  'mplv2.0': 'MPL-2.0',
  'mplv1.1': 'MPL-1.1',
  'eclipse public license 2.0': 'EPL-2.0',
  'eclipse public license 2.0 (epl-2.0)': 'EPL-2.0',
  'eclipse public license - v 2.0': 'EPL-2.0',
  'eclipse public license 1.0': 'EPL-1.0',
  'eclipse public license - v 1.0': 'EPL-1.0',
  'common development and distribution license 1.0': 'CDDL-1.0',
  // Others
  'the unlicense': 'Unlicense',
  'the unlicense (unlicense)': 'Unlicense',
  'creative commons zero v1.0 universal': 'CC0-1.0',
  'cc0 1.0 universal (cc0 1.0) public domain dedication': 'CC0-1.0',
  'zlib license': 'Zlib',
  'zlib/libpng license': 'Zlib',
  'the zlib/libpng license': 'Zlib',
  'boost software license 1.0': 'BSL-1.0',
  'boost software license 1.0 (bsl-1.0)': 'BSL-1.0',
  boost: 'BSL-1.0',
  'python software foundation license 2.0': 'PSF-2.0',
  'artistic license 2.0': 'Artistic-2.0',
  'universal permissive license v1.0': 'UPL-1.0',
  'universal permissive license (upl)': 'UPL-1.0',
  'postgresql license': 'PostgreSQL',
  'openssl license': 'OpenSSL',
  'blue oak model license 1.0.0': 'BlueOak-1.0.0',
  'do what the f*ck you want to public license': 'WTFPL',
};

const key = (text: string): string => text.toLowerCase().replace(/\s+/g, ' ').trim();

/** An expression whose ids and operators are right but for their case: `apache-2.0 or mit`. */
function caseFixed(text: string): string | undefined {
  const tokens = text.split(/(\s+|[()])/).filter((t) => t !== '' && !/^\s+$/.test(t));
  const fixed = tokens.map((t) => {
    if (t === '(' || t === ')') return t;
    const op = t.toUpperCase();
    if (op === 'AND' || op === 'OR' || op === 'WITH') return op;
    const plus = t.endsWith('+') && t.length > 1;
    const id = SPDX.fixupSpdxId(plus ? t.slice(0, -1) : t);
    return id === undefined ? undefined : `${id}${plus ? '+' : ''}`;
  });
  if (fixed.some((t) => t === undefined)) return undefined;
  const candidate = fixed.join(' ').replace(/\( /g, '(').replace(/ \)/g, ')');
  return isSpdxExpression(candidate) ? candidate : undefined;
}

/** One name from the table, or one id or expression in any case. */
function single(text: string): string | undefined {
  const named = ownEntry(LICENSE_NAMES, key(text));
  if (named) return named;
  return isSpdxExpression(text) ? text : caseFixed(text);
}

/**
 * The SPDX expression `text` denotes, or undefined when it denotes none for certain (then the
 * text itself is what the package declared, and is kept as such).
 */
export function spdxLicense(text: string): string | undefined {
  const t = text.replace(/\s+/g, ' ').trim();
  if (!t) return undefined;
  if (isSpdxExpression(t)) return t;
  const one = single(t);
  if (one) return one;
  // `ASL 2.0 and MIT`, `GPLv2+ or Artistic 2.0` (Fedora's and Perl's way): every part must map.
  if (/[()]/.test(t)) return undefined;
  const parts = t.split(/\s+(and|or)\s+/i);
  if (parts.length < 3) return undefined;
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (i % 2 === 1) {
      out.push(part.toUpperCase());
      continue;
    }
    const mapped = single(part);
    if (!mapped) return undefined;
    out.push(/\s/.test(mapped) ? `(${mapped})` : mapped);
  }
  const expression = out.join(' ');
  return isSpdxExpression(expression) ? expression : undefined;
}

/** The licence texts as the package declared them, where the SBOM writes an SPDX form instead (kept beside it). */
export function declaredLicenseTexts(values: readonly string[]): string[] {
  return values.filter((v) => {
    const spdx = spdxLicense(v);
    return spdx !== undefined && spdx !== v;
  });
}
