/**
 * Flips bits of one byte in place, as a bad disk or network would (`index` < 0 counts from the
 * end). Out of range is an error, not a silent no-op: the test would corrupt nothing.
 */
export function flipBits(bytes: Uint8Array, index: number, mask: number): void {
  const at = index < 0 ? bytes.length + index : index;
  const byte = bytes[at];
  if (byte === undefined) throw new RangeError(`byte ${index} is outside a ${bytes.length}-byte buffer`);
  bytes[at] = byte ^ mask;
}
