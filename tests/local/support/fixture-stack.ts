import { join } from 'node:path';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../../packages/local/src/stack';

export const FIXTURES = join(__dirname, '..', 'fixtures');

/** Starts the local stack on the fixture template, in memory, on free ports, with console lines collected. */
export async function startFixtureStack(options: LocalStackOptions = {}): Promise<LocalStack & { lines: string[] }> {
  const lines: string[] = [];
  const stack = await startLocalStack({
    templatePath: join(FIXTURES, 'template.yaml'),
    projectRoot: FIXTURES,
    wsPort: 0,
    httpPort: 0,
    dynamoPort: 0,
    dataDir: null,
    log: (line) => lines.push(line),
    ...options,
  });
  return Object.assign(stack, { lines });
}
