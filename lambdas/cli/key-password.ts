import { BadInputError } from '../core/errors';

/** The terminal side of a password prompt (process.stdin / process.stderr, or fakes in tests). */
export interface PromptInput {
  readonly isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
  setEncoding(encoding: BufferEncoding): unknown;
  resume(): unknown;
  pause(): unknown;
  on(event: 'data', listener: (chunk: string) => void): unknown;
  removeListener(event: 'data', listener: (chunk: string) => void): unknown;
}

export interface PasswordSources {
  readonly env: NodeJS.ProcessEnv;
  readonly input: PromptInput;
  readonly output: { write(text: string): unknown };
}

const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const CTRL_U = '\u0015';
const BACKSPACES = new Set(['\u007f', '\b']);

/**
 * Reads one line from a terminal in raw mode, so nothing typed is echoed. Enter (or Ctrl-D) ends
 * it; Backspace and Ctrl-U edit it; Ctrl-C abandons it with an error.
 */
export function readHiddenLine(prompt: string, input: PromptInput, output: PasswordSources['output']): Promise<string> {
  return new Promise((resolve, reject) => {
    let chars: string[] = [];
    const finish = (err?: Error) => {
      input.removeListener('data', onData);
      input.setRawMode?.(false);
      input.pause();
      output.write('\n');
      if (err) reject(err);
      else resolve(chars.join(''));
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === CTRL_D) return finish();
        if (ch === CTRL_C) return finish(new BadInputError('password prompt interrupted'));
        if (BACKSPACES.has(ch)) chars.pop();
        else if (ch === CTRL_U) chars = [];
        else if (ch >= ' ') chars.push(ch);
      }
    };
    // Raw mode before the prompt: nothing typed after the prompt shows can be echoed.
    input.setRawMode?.(true);
    output.write(prompt);
    input.setEncoding('utf8');
    input.on('data', onData);
    input.resume();
  });
}

/**
 * The password of an encrypted cosign key, as cosign finds it: `COSIGN_PASSWORD` when it is set
 * (even empty: cosign allows an empty password), else a prompt without echo when stdin is a
 * terminal. Without either it is one error saying what to set.
 */
export async function cosignKeyPassword(keyPath: string, sources: PasswordSources = { env: process.env, input: process.stdin, output: process.stderr }): Promise<string> {
  const fromEnv = sources.env.COSIGN_PASSWORD;
  if (fromEnv !== undefined) return fromEnv;
  if (!sources.input.isTTY || !sources.input.setRawMode) {
    throw new BadInputError(`${keyPath} is an encrypted cosign key and there is no terminal to ask for its password: set COSIGN_PASSWORD`);
  }
  return readHiddenLine(`Enter password for private key ${keyPath}: `, sources.input, sources.output);
}
