/**
 * Port: something that signs bytes with an ECDSA P-256 key (AWS KMS in the cloud, a PEM file
 * locally).
 *
 * `Signer`, `Signature` and `KeyMaterial` have the shape of `@sigstore/sign`'s interfaces, so
 * the same objects can later be handed to its bundle builders. They are declared here rather
 * than imported because `@sigstore/sign` pulls ESM-only network modules that CommonJS (and
 * jest) cannot load, and the domain must not depend on them anyway.
 */
export type KeyMaterial =
  | { readonly $case: 'x509Certificate'; readonly certificate: string }
  | { readonly $case: 'publicKey'; readonly publicKey: string; readonly hint?: string };

export interface Signature {
  /** ASN.1 DER ECDSA signature over SHA-256(data). */
  readonly signature: Buffer;
  readonly key: KeyMaterial;
}

export interface Signer {
  sign(data: Buffer): Promise<Signature>;
}

export interface PublicKeyInfo {
  /** SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`). */
  readonly pem: string;
  /** base64(SHA-256(DER SPKI)): the key hint cosign and sigstore-go put in bundles. */
  readonly hint: string;
  /** What identifies the key to people and records: a KMS key ARN, or the file path. */
  readonly keyId: string;
}

/**
 * A signer that can tell its public key before signing: the signing flow uses it to skip
 * signatures that already exist (ECDSA is randomised, so the check is a verification, and it
 * must not cost a KMS Sign call).
 */
export interface KeyedSigner extends Signer {
  publicKey(): Promise<PublicKeyInfo>;
}
