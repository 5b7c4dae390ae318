import { NO_LAYER_CACHE } from '../sbom/layer-cache';
import { createSbomStep } from '../workflow/steps/sbom';
import { aws, lambdaHandler } from './runtime';

const evidence = aws.evidence();
// No layer cache until a KMS MAC key is wired in (KmsMacKey, adapters/aws/kms-mac-key.ts): an
// unauthenticated cache in the bucket would let whoever can write it hide a layer's packages.
export const handler = lambdaHandler('sbom', createSbomStep({ openSource: aws.openSource, evidence, cache: NO_LAYER_CACHE, metrics: aws.metrics, now: aws.now }));
