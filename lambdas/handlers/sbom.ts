import { KMSClient } from '@aws-sdk/client-kms';
import { KmsMacKey } from '../adapters/aws/kms-mac-key';
import { catalogers } from '../sbom/catalogers';
import { BlobLayerCache } from '../sbom/layers/cache';
import { createSbomStep } from '../workflow/steps/sbom';
import { aws, lambdaHandler, logger } from './runtime';

const macKeyArn = process.env.CACHE_MAC_KEY_ARN;
if (!macKeyArn) throw new Error('CACHE_MAC_KEY_ARN must name the KMS HMAC key that authenticates the layer cache');
const evidence = aws.evidence();
// Cache entries carry a KMS HMAC: whoever can write the bucket cannot make a layer look clean.
const cache = new BlobLayerCache(evidence, catalogers.map((c) => c.name), new KmsMacKey(new KMSClient({}), macKeyArn), {
  onRejected: (digest, reason) => logger.warn('layer cache entry refused; reading the layer again', { layer: digest, reason }),
});
export const handler = lambdaHandler('sbom', createSbomStep({ openSource: aws.openSource, evidence, cache, metrics: aws.metrics, now: aws.now }));
