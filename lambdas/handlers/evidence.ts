import { createEvidenceCheck } from '../workflow/evidence-check';
import { createNotifyStep } from '../workflow/steps/notify';
import { createRecordStep } from '../workflow/steps/record';
import { createResolveStep } from '../workflow/steps/resolve';
import { aws, lambdaHandler } from './runtime';

const records = aws.records();
export const handler = lambdaHandler(
  'evidence',
  createEvidenceCheck({
    resolve: createResolveStep({ openSource: aws.openSource, records, now: aws.now }),
    record: createRecordStep({ records, now: aws.now, metrics: aws.metrics }),
    notify: createNotifyStep({ alerts: aws.alerts(), metrics: aws.metrics }),
  }),
);
