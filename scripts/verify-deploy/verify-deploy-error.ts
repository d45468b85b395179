/** A failed check of the deployable build: which function (or file), at which step, and what went wrong. */
export class VerifyDeployError extends Error {
  override name = 'VerifyDeployError';

  constructor(
    /** The template's logical id of the function, or the file, the failure is about. */
    readonly subject: string,
    /** The step that failed: install, find esbuild, esbuild, load, invoke, ... */
    readonly step: string,
    readonly detail: string,
  ) {
    super(`${subject}: ${step}: ${detail}`);
  }
}
