import { IntrinsicResolutionError } from './intrinsic-resolver';
import { TemplateError } from './load-stack-model';
import { TemplateCheckError } from './template-checks';

/** A template the stack cannot run: the user's to fix, so its message is the whole answer (exit 2). */
export function isTemplateProblem(error: unknown): error is Error {
  return (
    error instanceof TemplateError || error instanceof IntrinsicResolutionError || error instanceof TemplateCheckError
  );
}

/** The line to print for a template problem; a check error names its template already. */
export function templateProblemMessage(error: Error, templateLabel: string): string {
  return error instanceof TemplateCheckError ? error.message : `${templateLabel}: ${error.message}`;
}
