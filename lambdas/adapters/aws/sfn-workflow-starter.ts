import { createHash } from 'node:crypto';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { ExecutionAlreadyExists, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { RegistryImage } from '../../ports/image-lister';

/**
 * Starts the workflow for one image as a manual execution (`{ source, tag, id }`). The name
 * names the digest and the hour: reconciler runs that overlap start it once, and a digest whose
 * run failed is tried again the next hour.
 */
export class SfnWorkflowStarter {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async start(image: RegistryImage): Promise<'started' | 'exists'> {
    const hour = this.now().toISOString().slice(0, 13).replace(/[^0-9]/g, '');
    // One name per repository and digest (the same digest in two repositories is two artifacts), within the 80 characters allowed.
    const name = `reconcile-${hour}-${createHash('sha256').update(`${image.repositoryName}@${image.digest}`).digest('hex').slice(0, 56)}`;
    const input = { source: `${image.repositoryName}@${image.digest}`, ...(image.tags[0] ? { tag: image.tags[0] } : {}), id: name };
    try {
      await this.client.send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name, input: JSON.stringify(input) }));
      return 'started';
    } catch (err) {
      if (err instanceof ExecutionAlreadyExists || (err as { name?: string }).name === 'ExecutionAlreadyExists') return 'exists';
      throw err;
    }
  }
}
