import { createHash } from 'node:crypto';
import type { KMSClient } from '@aws-sdk/client-kms';
import { GenerateMacCommand, VerifyMacCommand } from '@aws-sdk/client-kms';
import { UnavailableError } from '../../core/errors';
import type { MacKey } from '../../ports/mac-key';
import { kmsError } from './kms-errors';

const MAC_ALGORITHM = 'HMAC_SHA_256';

/**
 * An AWS KMS HMAC key (key spec HMAC_256, usage GENERATE_VERIFY_MAC): `GenerateMac` and
 * `VerifyMac` with HMAC_SHA_256, so the key never leaves KMS. KMS takes at most 4096 bytes of
 * message and a layer catalog is far bigger, so the MAC is over SHA-256 of the bytes:
 * HMAC-SHA256(key, SHA-256(bytes)), written as lowercase hex (64 characters).
 */
export class KmsMacKey implements MacKey {
  constructor(
    private readonly client: KMSClient,
    private readonly keyId: string,
  ) {}

  async mac(bytes: Buffer): Promise<string> {
    let res;
    try {
      res = await this.client.send(new GenerateMacCommand({ KeyId: this.keyId, MacAlgorithm: MAC_ALGORITHM, Message: sha256(bytes) }));
    } catch (err) {
      throw kmsError(err, 'GenerateMac', this.keyId);
    }
    if (!res.Mac || res.Mac.length === 0) throw new UnavailableError(`KMS GenerateMac for ${this.keyId} returned no MAC`);
    return Buffer.from(res.Mac).toString('hex');
  }

  async verify(bytes: Buffer, mac: string): Promise<boolean> {
    if (!/^[0-9a-f]{64}$/.test(mac)) return false;
    try {
      const res = await this.client.send(new VerifyMacCommand({ KeyId: this.keyId, MacAlgorithm: MAC_ALGORITHM, Message: sha256(bytes), Mac: Buffer.from(mac, 'hex') }));
      return res.MacValid === true;
    } catch (err) {
      // KMS answers a MAC that does not verify with this exception, not with MacValid: false.
      if ((err as { name?: string }).name === 'KMSInvalidMacException') return false;
      throw kmsError(err, 'VerifyMac', this.keyId);
    }
  }
}

function sha256(bytes: Buffer): Buffer {
  return createHash('sha256').update(bytes).digest();
}
