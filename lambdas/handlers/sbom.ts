import { BlobLayerCache } from '../sbom/layer-cache';
import { catalogers } from '../sbom/catalogers';
import { createSbomStep } from '../workflow/steps/sbom';
import { aws, lambdaHandler } from './runtime';

const evidence = aws.evidence();
export const handler = lambdaHandler(
  'sbom',
  createSbomStep({ openSource: aws.openSource, evidence, cache: new BlobLayerCache(evidence, catalogers.map((c) => c.name)), metrics: aws.metrics, now: aws.now }),
);
