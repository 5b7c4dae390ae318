import { createHash } from 'node:crypto';
import type { Bundle, SerializedBundle } from '@sigstore/bundle';
import { bundleFromJSON, bundleToJSON, isBundleWithDsseEnvelope } from '@sigstore/bundle';
import type { Signature, Signer, Witness } from '@sigstore/sign';
import { DSSEBundleBuilder, RekorWitness } from '@sigstore/sign';
import type { TrustMaterial } from '@sigstore/verify';
import { toSignedEntity, Verifier } from '@sigstore/verify';
import { errorMessage } from '../core/errors';
import type { PublicKeyInfo } from '../ports/signer';
import type { VerificationKey } from '../signing/verifier';
import { parseStrictJson } from '../signing/strict-json';
import type { SignedEnvelope } from './dsse';
import { preAuthEncoding } from './pae';

/**
 * Sigstore bundles v0.3 (`application/vnd.dev.sigstore.bundle.v0.3+json`) built by sigstore-js's
 * DSSEBundleBuilder around the same DSSE signature the `.att` layer carries, and verified
 * offline by `@sigstore/verify` with a public key.
 */

export interface BundleOptions {
  /**
   * Upload each bundle's signature to this Rekor instance (`RekorWitness`) and embed the
   * transparency-log entry. Off by default: keys managed in KMS need no public log, and the
   * workflow must run without Internet access. Not exercised by the tests (no network here).
   */
  readonly rekorUrl?: string;
}

/**
 * A sigstore-js Signer that hands back a signature already made over exactly these PAE bytes.
 * The bundle and the `.att` envelope then carry one signature (one KMS Sign call), and the
 * equality check proves at run time that sigstore-js encodes the PAE as we do.
 */
class PresignedSigner implements Signer {
  constructor(
    private readonly signed: SignedEnvelope,
    private readonly key: PublicKeyInfo,
  ) {}

  async sign(data: Buffer): Promise<Signature> {
    if (!data.equals(this.signed.pae)) throw new Error('sigstore-js asked to sign bytes that are not our DSSE PAE');
    return { signature: this.signed.signature, key: { $case: 'publicKey', publicKey: this.key.pem, hint: this.key.hint } };
  }
}

export async function buildDsseBundle(signed: SignedEnvelope, key: PublicKeyInfo, opts: BundleOptions = {}): Promise<Buffer> {
  const witnesses: Witness[] = opts.rekorUrl ? [new RekorWitness({ rekorBaseURL: opts.rekorUrl, entryType: 'dsse' })] : [];
  const builder = new DSSEBundleBuilder({ signer: new PresignedSigner(signed, key), witnesses });
  const bundle = await builder.create({ data: signed.payload, type: signed.envelope.payloadType });
  return Buffer.from(JSON.stringify(bundleToJSON(bundle)), 'utf8');
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export type BundleCheck =
  | { readonly ok: true; readonly key: VerificationKey; readonly payloadType: string; readonly payload: Buffer }
  | { readonly ok: false; readonly reason: string };

/** Trust material for one self-managed key: no CAs, no logs, the key for every hint (as cosign). */
function keyTrust(key: VerificationKey): TrustMaterial {
  return {
    certificateAuthorities: [],
    timestampAuthorities: [],
    tlogs: [],
    ctlogs: [],
    publicKey: () => ({ publicKey: key.key, validFor: () => true }),
  };
}

/**
 * Verifies a bundle offline with `@sigstore/verify` (thresholds 0 for tlog, ctlog and
 * timestamps) against each key until one accepts, and returns the DSSE payload it signs.
 * Transparency-log entries are not checked offline (as cosign's `--insecure-ignore-tlog`).
 * What the payload claims (subject digest, predicate type) is the caller's to check. Never throws.
 */
export function verifyBundle(bytes: Buffer, keys: readonly VerificationKey[]): BundleCheck {
  const json = parseStrictJson(bytes);
  if (!json.ok) return { ok: false, reason: `bundle is not strict JSON: ${json.reason}` };
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(json.value);
  } catch (err) {
    return { ok: false, reason: `not a Sigstore bundle: ${errorMessage(err)}` };
  }
  if (bundle.mediaType !== 'application/vnd.dev.sigstore.bundle.v0.3+json') return { ok: false, reason: `bundle media type ${bundle.mediaType} is not v0.3` };
  if (!isBundleWithDsseEnvelope(bundle)) return { ok: false, reason: 'bundle holds no DSSE envelope' };
  const offline: Bundle = { ...bundle, verificationMaterial: { ...bundle.verificationMaterial, tlogEntries: [] } };
  const envelope = bundle.content.dsseEnvelope;
  const failures: string[] = [];
  for (const key of keys) {
    try {
      new Verifier(keyTrust(key), { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 }).verify(toSignedEntity(offline));
      return { ok: true, key, payloadType: envelope.payloadType, payload: envelope.payload };
    } catch (err) {
      failures.push(`${key.name}: ${errorMessage(err)}`);
    }
  }
  return { ok: false, reason: `bundle signature does not verify (${failures.join('; ')})` };
}

/** The PAE a bundle's DSSE signature covers (for independent checks). */
export function bundlePae(serialized: SerializedBundle): Buffer | undefined {
  const env = serialized.dsseEnvelope;
  return env ? preAuthEncoding(env.payloadType, Buffer.from(env.payload, 'base64')) : undefined;
}
