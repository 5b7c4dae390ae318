import { STEP_FACTORIES } from '../workflow/step-factories';
import { awsEnvironment, lambdaHandler } from './runtime';

// No signer is wired: this function publishes what the Sign function signed (it has no kms:Sign).
export const handler = lambdaHandler('attach', STEP_FACTORIES.attach(awsEnvironment()));
