import { KMSClient } from '@aws-sdk/client-kms';
import { KmsMacKey } from '../adapters/aws/kms-mac-key';
import { catalogers } from '../sbom/catalogers';
import { BlobLayerCache } from '../sbom/layers/cache';
import { STEP_FACTORIES } from '../workflow/step-factories';
import { aws, awsEnvironment, lambdaHandler, logger } from './runtime';
import { recordSdkCalls } from '../adapters/aws/sdk-call-recorder';

const macKeyArn = process.env.CACHE_MAC_KEY_ARN;
if (!macKeyArn) throw new Error('CACHE_MAC_KEY_ARN must name the KMS HMAC key that authenticates the layer cache');
// Cache entries carry a KMS HMAC: whoever can write the bucket cannot make a layer look clean.
const layerCache = () =>
  new BlobLayerCache(aws.evidence(), catalogers.map((c) => c.name), new KmsMacKey(recordSdkCalls(new KMSClient({})), macKeyArn), {
    onRejected: (digest, reason) => logger.warn('layer cache entry refused; reading the layer again', { layer: digest, reason }),
  });

export const handler = lambdaHandler('sbom', STEP_FACTORIES.sbom(awsEnvironment({ layerCache })));
