/**
 * Port: a secret key that authenticates bytes we stored and read back later (the layer cache),
 * so that whoever can write the storage cannot forge what we read. HMAC-SHA256 in a local file,
 * or an AWS KMS HMAC key.
 */
export interface MacKey {
  /** A MAC over the bytes, as lowercase hex. */
  mac(bytes: Buffer): Promise<string>;
  /** True only when `mac` is this key's MAC over the bytes; a malformed `mac` is false, not an error. */
  verify(bytes: Buffer, mac: string): Promise<boolean>;
}
