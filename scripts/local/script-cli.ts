import { type ParseArgsConfig, parseArgs } from 'node:util';

export type ScriptFlags = Record<string, string | boolean | undefined>;

/**
 * The flags of one of the small npm scripts (`npm run token`, `npm run presign`), `--help` included, or the
 * code it ends with: 0 after printing the help, 2 after a usage error (printed with the help).
 */
export function readScriptFlags(options: NonNullable<ParseArgsConfig['options']>, help: string): ScriptFlags | number {
  let values: ScriptFlags;
  try {
    values = parseArgs({
      args: process.argv.slice(2),
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${help}`);
    return 2;
  }
  if (values.help) {
    console.log(help);
    return 0;
  }
  return values;
}

/** Runs a script's `main` and exits with the code it returns; an unexpected error is printed, exit 1. */
export function runScript(main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
