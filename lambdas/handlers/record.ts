import { createRecordStep } from '../workflow/steps/record';
import { aws, lambdaHandler } from './runtime';

export const handler = lambdaHandler('record', createRecordStep({ records: aws.records(), now: aws.now, metrics: aws.metrics }));
