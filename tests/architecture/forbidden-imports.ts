import { builtinModules } from 'node:module';
import path from 'node:path';

export interface ForbiddenImport {
  specifier: string;
  reason: string;
}

const FORBIDDEN_PACKAGES: Array<{ pattern: RegExp; reason: string }> = [
  { pattern: /^@aws-sdk\//, reason: 'the AWS SDK belongs in an adapter' },
  { pattern: /^aws-lambda(\/|$)/, reason: 'Lambda event types belong in a handler' },
  { pattern: /^@types\/aws-lambda(\/|$)/, reason: 'Lambda event types belong in a handler' },
  { pattern: /^@middy\//, reason: 'middleware belongs in a handler' },
  { pattern: /^@aws-lambda-powertools\//, reason: 'Powertools belongs at the edge' },
  { pattern: /^zod(\/|$)/, reason: 'parsing wire input belongs in a handler' },
  { pattern: /^node:/, reason: 'Node built-ins are I/O; the domain gets what it needs through a port' },
];

/**
 * The one place outside the domain it may import: the wire contract (frame types, error codes, name and
 * topic rules) in the client package, which both ends share. It is pure (the purity test checks that it
 * imports nothing at all), so the domain stays free of infrastructure.
 */
export const WIRE_ROOT = path.resolve(__dirname, '../../packages/client/src/wire');

const NODE_BUILTINS = new Set(builtinModules.filter((name) => !name.startsWith('_')));

// Module specifiers of static imports and re-exports (`import x from`, `import type {..} from`,
// `import 'x'`, `export * from`), dynamic `import('x')`, `require('x')` and `import x = require('x')`.
const SPECIFIERS = [
  /\b(?:import|export)\s+(?:type\s+)?(?:[\w$*{}\s,]+?\s+from\s+)?['"]([^'"\n]+)['"]/g,
  /\bimport\s*\(\s*['"]([^'"\n]+)['"]\s*\)/g,
  /\brequire\s*\(\s*['"]([^'"\n]+)['"]\s*\)/g,
];

export function importSpecifiers(source: string): string[] {
  return SPECIFIERS.flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1] ?? ''));
}

/**
 * The imports of one domain file that break the domain's purity: infrastructure packages, Node
 * built-ins, and relative imports that climb out of `domainRoot` (into adapters or handlers).
 */
export function findForbiddenImports(source: string, filePath: string, domainRoot: string): ForbiddenImport[] {
  return importSpecifiers(source).flatMap((specifier): ForbiddenImport[] => {
    const reason = forbiddenReason(specifier, filePath, domainRoot);
    return reason ? [{ specifier, reason }] : [];
  });
}

function forbiddenReason(specifier: string, filePath: string, domainRoot: string): string | undefined {
  const packageRule = FORBIDDEN_PACKAGES.find(({ pattern }) => pattern.test(specifier));
  if (packageRule) return packageRule.reason;
  if (NODE_BUILTINS.has(specifier) || NODE_BUILTINS.has(specifier.split('/')[0] ?? '')) {
    return 'Node built-ins are I/O; the domain gets what it needs through a port';
  }
  if (specifier.startsWith('.')) {
    const target = path.resolve(path.dirname(filePath), specifier);
    const relative = path.relative(domainRoot, target);
    if (isInside(WIRE_ROOT, target)) return undefined;
    if (relative.startsWith('..') || path.isAbsolute(relative))
      return 'the domain must not depend on the layers around it';
  }
  return undefined;
}

function isInside(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}
