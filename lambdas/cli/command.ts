/** What a subcommand produced: the document for stdout, or one error line, and the exit code. */
export interface CommandResult {
  readonly exitCode: 0 | 1 | 2;
  readonly stdout?: string;
  readonly error?: string;
}
