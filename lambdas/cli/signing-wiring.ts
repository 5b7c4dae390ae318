import { DefaultRegistryCredentials } from '../adapters/default-registry-credentials';
import { decryptCosignKey, isCosignEncryptedKey } from '../adapters/local/cosign-key';
import { PemFileSigner } from '../adapters/local/pem-file-signer';
import { readUserFile } from '../adapters/local/read-user-file';
import { BadInputError } from '../core/errors';
import { openSource, parseSource } from '../oci/open-source';
import type { ArtifactSource } from '../oci/source';
import type { Progress } from '../ports/progress';
import type { KeyedSigner } from '../ports/signer';
import { loadPublicKey } from '../signing/ecdsa';
import type { KeyRef } from '../signing/key-ref';
import { parseKeyRef } from '../signing/key-ref';
import type { VerificationKey } from '../signing/verifier';
import { cosignKeyPassword } from './key-password';

/**
 * CLI wiring for `sign` and `verify`: REF to a source, `--key` to a signer or public key.
 * The KMS adapter (and with it the AWS SDK) is loaded only for `awskms://` keys.
 */

/** REF: a registry reference with or without `registry:`, or an OCI layout (`oci-dir:PATH[:TAG]`). */
export async function openSigningSource(command: string, ref: string, insecure: boolean | undefined, progress?: Progress): Promise<ArtifactSource> {
  const spec = parseSource(ref);
  if (spec.scheme !== 'registry' && spec.scheme !== 'oci-dir') {
    throw new BadInputError(`${command}: REF must be a registry reference or oci-dir:PATH[:TAG] (${spec.scheme}: cannot hold signatures)`);
  }
  return openSource(spec, { credentials: new DefaultRegistryCredentials(), insecure, ...(progress ? { progress } : {}) });
}

async function kmsSigner(ref: Extract<KeyRef, { kind: 'awskms' }>): Promise<KeyedSigner> {
  const { kmsSignerFor } = await import('../adapters/aws/kms-signer');
  return kmsSignerFor(ref);
}

/**
 * A PEM key file: unencrypted PKCS#8 or SEC1, or cosign's encrypted format (`cosign
 * generate-key-pair`), whose password comes from COSIGN_PASSWORD or a prompt on the terminal.
 */
async function fileSigner(path: string): Promise<KeyedSigner> {
  const pem = readUserFile(path, 'key file').toString('utf8');
  if (!isCosignEncryptedKey(pem)) return PemFileSigner.fromPem(pem, path);
  const password = await cosignKeyPassword(path);
  return PemFileSigner.fromKeyObject(await decryptCosignKey(pem, password, path), path);
}

export async function signerFor(key: string): Promise<KeyedSigner> {
  const ref = parseKeyRef(key);
  return ref.kind === 'file' ? fileSigner(ref.path) : kmsSigner(ref);
}

/** Public keys for `verify --key`: PEM files (a private key's public half is taken) or KMS keys. */
export async function verificationKeysFor(keys: readonly string[]): Promise<VerificationKey[]> {
  const out: VerificationKey[] = [];
  for (const key of keys) {
    const ref = parseKeyRef(key);
    const pem = ref.kind === 'file' ? readUserFile(ref.path, 'key file') : (await (await kmsSigner(ref)).publicKey()).pem;
    out.push({ name: key, key: loadPublicKey(pem, key) });
  }
  return out;
}
