import parseSpdxExpression from 'spdx-expression-parse';

/** Throws unless `value` is an SPDX licence expression (what the CycloneDX licence factory expects). */
export function assertSpdxExpression(value: string): void {
  parseSpdxExpression(value);
}

export function isSpdxExpression(value: string): boolean {
  try {
    parseSpdxExpression(value);
    return true;
  } catch {
    return false;
  }
}
