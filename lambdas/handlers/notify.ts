import { STEP_FACTORIES } from '../workflow/step-factories';
import { awsEnvironment, lambdaHandler } from './runtime';

export const handler = lambdaHandler('notify', STEP_FACTORIES.notify(awsEnvironment()));
