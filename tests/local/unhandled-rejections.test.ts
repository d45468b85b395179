import { EventEmitter } from 'node:events';
import { describeUnhandledRejection, guardUnhandledRejections } from '../../packages/local/src/unhandled-rejections';

const documentOf = (line: string): Record<string, unknown> =>
  JSON.parse(line.slice(line.indexOf('{'))) as Record<string, unknown>;

describe('unhandled promise rejections in the local stack', () => {
  it("are logged as Lambda's runtime logs them, naming the function and request whose code made the promise", () => {
    const line = describeUnhandledRejection(new TypeError('stray'), {
      functionName: 'ChatFunction',
      awsRequestId: 'req-1',
    });

    expect(line.startsWith('ChatFunction req-1 ERROR Unhandled Promise Rejection {')).toBe(true);
    expect(documentOf(line)).toMatchObject({
      errorType: 'Runtime.UnhandledPromiseRejection',
      errorMessage: 'TypeError: stray',
      reason: { errorType: 'TypeError', errorMessage: 'stray' },
      stack: ['Runtime.UnhandledPromiseRejection: TypeError: stray'],
    });
  });

  it('say init for a rejection made while the module loaded, and local stack for one made by no function', () => {
    expect(describeUnhandledRejection(new Error('x'), { functionName: 'ChatFunction' })).toMatch(
      /^ChatFunction init ERROR /,
    );
    const line = describeUnhandledRejection('not an error', undefined);

    expect(line).toMatch(/^local stack ERROR /);
    expect(documentOf(line)).toMatchObject({ errorMessage: 'not an error', reason: { errorType: 'string' } });
  });

  it('are logged, not fatal, while the guard is on', () => {
    const processLike = new EventEmitter();
    const lines: string[] = [];

    const remove = guardUnhandledRejections((line) => lines.push(line), processLike);
    processLike.emit('unhandledRejection', new Error('stray'), Promise.resolve());
    remove();

    expect(lines).toEqual([expect.stringMatching(/^local stack ERROR Unhandled Promise Rejection /)]);
    expect(processLike.listenerCount('unhandledRejection')).toBe(0);
  });
});
