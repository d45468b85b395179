/** A command line the CLI cannot run: a bad flag, value or file. The CLI prints the message and exits 2. */
export class CliUsageError extends Error {
  override name = 'CliUsageError';
}
