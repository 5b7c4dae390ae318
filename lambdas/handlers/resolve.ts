import { createResolveStep } from '../workflow/steps/resolve';
import { aws, lambdaHandler } from './runtime';

export const handler = lambdaHandler('resolve', createResolveStep({ openSource: aws.openSource, records: aws.records(), now: aws.now }));
