import { createEvidenceCheck } from '../workflow/evidence-check';
import { STEP_FACTORIES } from '../workflow/step-factories';
import { awsEnvironment, lambdaHandler } from './runtime';

const environment = awsEnvironment();
export const handler = lambdaHandler(
  'evidence',
  createEvidenceCheck({ resolve: STEP_FACTORIES.resolve(environment), record: STEP_FACTORIES.record(environment), notify: STEP_FACTORIES.notify(environment) }),
);
