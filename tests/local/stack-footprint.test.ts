import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FIXTURES } from './support/fixture-stack';

const STACK = join(__dirname, '..', '..', 'packages', 'local', 'src', 'stack.ts');

/**
 * The packages of node_modules that a fresh process holds after starting the stack on a template and
 * stopping it: jest's own module registry would hide what Node loads, so the stack runs in a child (under tsx).
 */
async function packagesLoadedBy(template: string, options: Record<string, unknown> = {}): Promise<string[]> {
  const script = `
    const { startLocalStack } = require(${JSON.stringify(STACK)});
    (async () => {
      const stack = await startLocalStack({
        templatePath: ${JSON.stringify(join(FIXTURES, template))}, projectRoot: ${JSON.stringify(FIXTURES)},
        wsPort: 0, httpPort: 0, dynamoPort: 0, dataDir: null, log: () => {}, ...${JSON.stringify(options)},
      });
      const loaded = Object.keys(require.cache);
      await stack.stop();
      process.stdout.write(JSON.stringify(loaded));
      process.exit(0);
    })();`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '-e', script], {
    timeout: 60_000,
  });
  const files = JSON.parse(stdout) as string[];
  return [...new Set(files.flatMap((file) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1] ?? []))];
}

describe("the stack's own process", () => {
  it('loads no AWS SDK, no signing code and no JWT library when the template and flags need none', async () => {
    const packages = await packagesLoadedBy('template.yaml');

    expect(packages.filter((name) => /^(@aws-sdk\/|@smithy\/|aws-jwt-verify$)/.test(name))).toEqual([]);
  }, 60_000);

  it('loads the embedded DynamoDB only for a template with tables', async () => {
    const [withTables, without] = await Promise.all([
      packagesLoadedBy('template.yaml'),
      packagesLoadedBy('queue-template.yaml'),
    ]);

    expect(withTables).toContain('dynalite');
    expect(without).not.toContain('dynalite');
  }, 60_000);

  it('loads the JWT library for a template with JWT authorizers, and the signing code with iam on', async () => {
    const packages = await packagesLoadedBy('http-jwt-template.yaml', {
      iam: true,
      parameters: { JwtIssuer: 'http://localhost:1/issuer', JwtAudience: 'local' },
    });

    expect(packages).toEqual(expect.arrayContaining(['aws-jwt-verify', '@smithy/signature-v4']));
  }, 60_000);
});
