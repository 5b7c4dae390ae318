import { BadInputError } from '../core/errors';

/**
 * A `--key` value as cosign accepts it: an `awskms://[ENDPOINT]/ID|ALIAS|ARN` URI (the forms of
 * sigstore's pkg/signature/kms/aws/client.go) or a PEM file path.
 */
export type KeyRef =
  | {
      readonly kind: 'awskms';
      /** `host[:port]` of a KMS-compatible endpoint, reached over HTTPS, as sigstore does. */
      readonly endpoint?: string;
      /** What KMS takes as KeyId: a key id, `alias/NAME`, or a key or alias ARN. */
      readonly keyId: string;
      /** The region an ARN names (used when the environment names none). */
      readonly region?: string;
    }
  | { readonly kind: 'file'; readonly path: string };

const UUID = 'm?r?k?-?[A-Fa-f0-9]{8}-?[A-Fa-f0-9]{4}-?[A-Fa-f0-9]{4}-?[A-Fa-f0-9]{4}-?[A-Fa-f0-9]{12}';
const ARN = 'arn:(?:aws|aws-us-gov|aws-cn):kms:([a-z0-9-]+):\\d{12}:';
const KEY_FORMS = [
  new RegExp(`^(${UUID})$`),
  new RegExp(`^(${ARN}key/${UUID})$`),
  /^(alias\/.+)$/,
  new RegExp(`^(${ARN}alias/.+)$`),
];

const KMS_SCHEME = 'awskms://';

export function parseKeyRef(ref: string): KeyRef {
  if (!ref) throw new BadInputError('--key needs a value: a PEM file or awskms:///alias/NAME');
  if (!ref.startsWith(KMS_SCHEME)) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref)) throw new BadInputError(`unsupported key reference "${ref}": use a PEM file or awskms://[ENDPOINT]/ID|alias/NAME|ARN`);
    return { kind: 'file', path: ref };
  }
  const rest = ref.slice(KMS_SCHEME.length);
  const slash = rest.indexOf('/');
  if (slash < 0) throw new BadInputError(`invalid AWS KMS key reference "${ref}": expected awskms://[ENDPOINT]/ID|alias/NAME|ARN`);
  const endpoint = rest.slice(0, slash);
  const keyId = rest.slice(slash + 1);
  for (const re of KEY_FORMS) {
    const m = re.exec(keyId);
    if (m) return { kind: 'awskms', keyId, ...(endpoint ? { endpoint } : {}), ...(m[2] ? { region: m[2] } : {}) };
  }
  throw new BadInputError(`invalid AWS KMS key reference "${ref}": expected awskms://[ENDPOINT]/ID|alias/NAME|ARN`);
}
