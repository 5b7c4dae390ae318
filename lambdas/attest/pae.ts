/**
 * DSSE pre-authentication encoding (secure-systems-lab/dsse protocol.md), byte-exact:
 * `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, SP one 0x20 byte, LEN the ASCII decimal
 * byte length without leading zeros, type the UTF-8 payloadType, body the raw payload bytes.
 * The signature covers these bytes, so a payloadType changed after signing no longer verifies.
 */
export function preAuthEncoding(payloadType: string, body: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  const header = Buffer.from(`DSSEv1 ${type.length} `, 'ascii');
  return Buffer.concat([header, type, Buffer.from(` ${body.length} `, 'ascii'), body]);
}
