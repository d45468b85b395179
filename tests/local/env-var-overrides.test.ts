import { withEnvVarOverrides } from '../../packages/local/src/env-var-overrides';
import type { FunctionModel } from '../../packages/local/src/stack-model';

const fn = (environment: FunctionModel['environment'], functionName?: string): FunctionModel => ({
  logicalId: 'ChatFunction',
  ...(functionName ? { functionName } : {}),
  codeDir: '/app',
  handler: 'chat.handler',
  entryFile: '/app/chat.js',
  exportName: 'handler',
  build: null,
  layerModules: [],
  timeoutSeconds: 3,
  memoryMb: 128,
  environment,
});

describe('--env-vars overrides, as sam local applies them', () => {
  it('replaces declared variables: the function’s own entry over its FunctionName’s over Parameters', () => {
    const result = withEnvVarOverrides(
      fn({ A: 'template', B: { Ref: 'Table' }, C: 'template', D: 'template' }, 'chat-fn'),
      {
        Parameters: { A: 'all', B: 'all', C: 'all' },
        'chat-fn': { B: 'by-name', C: 'by-name' },
        ChatFunction: { C: 'by-id' },
      },
    );

    expect(result.environment).toEqual({ A: 'all', B: 'by-name', C: 'by-id', D: 'template' });
  });

  it('adds no variable the template does not declare for the function, and leaves other functions alone', () => {
    const result = withEnvVarOverrides(fn({ A: 'template' }), {
      Parameters: { NEW: 'x' },
      ChatFunction: { ALSO_NEW: 'y' },
      OtherFunction: { A: 'other' },
    });

    expect(result.environment).toEqual({ A: 'template' });
  });
});
