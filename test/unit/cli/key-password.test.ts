import { EventEmitter } from 'node:events';
import { BadInputError } from '../../../lambdas/core/errors';
import type { PromptInput } from '../../../lambdas/cli/key-password';
import { cosignKeyPassword } from '../../../lambdas/cli/key-password';

/** A terminal: records raw mode and what was written; `type` sends keystrokes. */
class FakeTty extends EventEmitter implements PromptInput {
  constructor(readonly isTTY = true) {
    super();
  }
  raw: boolean[] = [];
  written = '';
  setRawMode(mode: boolean) {
    this.raw.push(mode);
    return this;
  }
  setEncoding() {
    return this;
  }
  resume() {
    return this;
  }
  pause() {
    return this;
  }
  type(...chunks: string[]) {
    for (const c of chunks) this.emit('data', c);
  }
}

function sources(env: NodeJS.ProcessEnv, input: PromptInput & { written?: string }) {
  return { env, input, output: { write: (t: string) => (input.written = `${input.written ?? ''}${t}`) } };
}

describe('cosign key password', () => {
  it('COSIGN_PASSWORD wins, even empty (cosign allows an empty password); no prompt is shown', async () => {
    const tty = new FakeTty();
    expect(await cosignKeyPassword('cosign.key', sources({ COSIGN_PASSWORD: 's3cret' }, tty))).toBe('s3cret');
    expect(await cosignKeyPassword('cosign.key', sources({ COSIGN_PASSWORD: '' }, tty))).toBe('');
    expect(tty.written).toBe('');
  });

  it('prompts on a terminal in raw mode (no echo), with Backspace and Ctrl-U, and restores the terminal', async () => {
    const tty = new FakeTty();
    const answer = cosignKeyPassword('cosign.key', sources({}, tty));
    tty.type('wrong', '\u0015', 'pa', 'sx\u007fs wörd', '\r', 'ignored');
    expect(await answer).toBe('pass wörd');
    expect(tty.raw).toEqual([true, false]);
    expect(tty.written).toBe('Enter password for private key cosign.key: \n');
    expect(tty.listenerCount('data')).toBe(0);
  });

  it('Ctrl-C abandons the prompt with an error; without a terminal or COSIGN_PASSWORD it says what to set', async () => {
    const tty = new FakeTty();
    const answer = cosignKeyPassword('cosign.key', sources({}, tty));
    tty.type('abc\u0003');
    await expect(answer).rejects.toThrow(new BadInputError('password prompt interrupted'));
    expect(tty.raw).toEqual([true, false]);
    await expect(cosignKeyPassword('cosign.key', sources({}, new FakeTty(false)))).rejects.toThrow(
      'cosign.key is an encrypted cosign key and there is no terminal to ask for its password: set COSIGN_PASSWORD',
    );
  });
});
