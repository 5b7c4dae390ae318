import { STEP_FACTORIES } from '../workflow/step-factories';
import { awsEnvironment, lambdaHandler } from './runtime';

export const handler = lambdaHandler('record', STEP_FACTORIES.record(awsEnvironment()));
