import { STEP_FACTORIES } from '../workflow/step-factories';
import { awsEnvironment, lambdaHandler } from './runtime';

export const handler = lambdaHandler('resolve', STEP_FACTORIES.resolve(awsEnvironment()));
