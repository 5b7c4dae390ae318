import { createNotifyStep } from '../workflow/steps/notify';
import { aws, lambdaHandler } from './runtime';

export const handler = lambdaHandler('notify', createNotifyStep({ alerts: aws.alerts(), metrics: aws.metrics }));
