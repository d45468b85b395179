import { join } from 'node:path';
import { loadStackModel } from '../../packages/local/src/load-stack-model';
import { startLocalStack } from '../../packages/local/src/stack';
import { checkTemplate, TemplateCheckError } from '../../packages/local/src/template-checks';
import { FIXTURES } from './support/fixture-stack';

const PROJECT_ROOT = join(__dirname, '..', '..');

function problemsOf(templatePath: string, projectRoot = FIXTURES) {
  return checkTemplate({ templatePath, projectRoot, ...loadStackModel({ templatePath, projectRoot }) });
}

describe('the checks a template passes before the local stack starts', () => {
  it('finds every problem in a template it cannot run, naming the resource and what to do', () => {
    const problems = problemsOf(join(FIXTURES, 'unrunnable-template.yaml'));

    expect(problems.map((p) => [p.resource, p.problem])).toEqual([
      ['PythonFunction', expect.stringContaining('python3.12')],
      ['NoFileFunction', expect.stringContaining('handlers/not-written-yet.ts does not exist')],
      ['ImportingFunction', expect.stringContaining('Fn::ImportValue')],
      ['ImageFunction', expect.stringContaining('PackageType: Image')],
      ['ElsewhereAuthorizer', expect.stringContaining('context.identity.sourceIp')],
      ['ElsewhereAuthorizer', expect.stringContaining('names no function of the template')],
      ['LegacyIntegration', expect.stringContaining('LegacyFunction, an AWS::Lambda::Function')],
      ['HttpIntegration', expect.stringContaining('HTTP_PROXY')],
      ['DanglingRoute', expect.stringContaining('NoSuchIntegration')],
    ]);
    for (const problem of problems) expect(problem.fix).toMatch(/\S/);
  });

  it('refuses to start on such a template, before anything listens, with one error that lists them all', async () => {
    const lines: string[] = [];
    const started = startLocalStack({
      templatePath: join(FIXTURES, 'unrunnable-template.yaml'),
      projectRoot: FIXTURES,
      wsPort: 0,
      httpPort: 0,
      dynamoPort: 0,
      dataDir: null,
      log: (line) => lines.push(line),
    });

    const error = await started.then(
      async (stack) => {
        await stack.stop();
        throw new Error('the stack started');
      },
      (refused: unknown) => refused,
    );
    expect(error).toBeInstanceOf(TemplateCheckError);
    expect((error as TemplateCheckError).problems).toHaveLength(9);
    expect((error as Error).message).toMatch(/unrunnable-template\.yaml cannot run locally \(9 problems\)/);
    expect((error as Error).message).toContain('DanglingRoute');
    expect((error as Error).message).not.toMatch(/\n\s+at /);
    expect(lines).toEqual([]);
  });

  it.each([
    'template.yaml',
    'burst-template.yaml',
    'kind-template.yaml',
    'queue-template.yaml',
    'authorizer-template.yaml',
    'table-names-template.yaml',
  ])('finds nothing wrong in the fixture %s', (name) => {
    expect(problemsOf(join(FIXTURES, name))).toEqual([]);
  });

  it('checks where references to queues resolve, so a template whose functions !Ref a queue starts', async () => {
    const stack = await startLocalStack({
      templatePath: join(FIXTURES, 'queue-template.yaml'),
      projectRoot: FIXTURES,
      wsPort: 0,
      httpPort: 0,
      dynamoPort: 0,
      dataDir: null,
      quiet: true,
      log: () => undefined,
    });

    expect(stack.sqsEndpoint).not.toBeNull();
    await stack.stop();
  });

  it("finds nothing wrong in the project's own template", () => {
    expect(problemsOf(join(PROJECT_ROOT, 'template.yaml'), PROJECT_ROOT)).toEqual([]);
  });
});
