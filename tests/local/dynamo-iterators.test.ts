import { dirname } from 'node:path';
import { type E2eStack, startE2eStack } from '../e2e/support/e2e-stack';

/**
 * Counts the LevelDB iterators dynalite opens and has not closed yet, through abstract-level (the store under
 * dynalite, whichever copy dynalite resolves). An iterator left open keeps its store snapshot alive: in memory
 * that is a version of the whole table, so leaked iterators are what made the stack's heap grow per connection.
 */
function countOpenIterators(): { open(): number; restore(): void } {
  const fromDynalite = require.resolve('abstract-level', { paths: [dirname(require.resolve('dynalite'))] });
  const level = require(fromDynalite) as typeof import('abstract-level');
  const prototype = level.AbstractLevel.prototype as unknown as {
    attachResource(resource: unknown): void;
    detachResource(resource: unknown): void;
  };
  const { attachResource, detachResource } = prototype;
  const ITERATOR_CLASSES = [level.AbstractIterator, level.AbstractKeyIterator, level.AbstractValueIterator];
  const open = new Set<unknown>();
  prototype.attachResource = function attach(this: unknown, resource: unknown) {
    if (ITERATOR_CLASSES.some((type) => resource instanceof type)) open.add(resource);
    return attachResource.call(this, resource);
  };
  prototype.detachResource = function detach(this: unknown, resource: unknown) {
    open.delete(resource);
    return detachResource.call(this, resource);
  };
  return {
    open: () => open.size,
    restore: () => Object.assign(prototype, { attachResource, detachResource }),
  };
}

const iterators = countOpenIterators();
let e2e: E2eStack;
beforeAll(async () => {
  e2e = await startE2eStack();
});
afterAll(async () => {
  await e2e.stop();
  iterators.restore();
});

async function waitUntil(condition: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('the embedded DynamoDB under connection churn', () => {
  it('closes every query iterator it opens, so nothing accumulates per connection', async () => {
    const cycles = 40;
    const observer = await e2e.connect({ name: 'Observer' });
    await observer.session();
    const before = iterators.open();

    for (let i = 0; i < cycles; i += 1) {
      const client = await e2e.connect({ name: `Churn${i}`, topicName: 'churn' });
      await client.request(
        { action: 'sendmessage', message: `hello ${i}`, id: `churn-${i}` },
        (f) => f.type === 'chat',
      );
      await client.request({ action: 'history', limit: 5 }, (f) => f.type === 'history');
      client.close();
      await client.closed();
    }
    const churnListed = async (): Promise<boolean> => {
      const reply = await observer.request({ action: 'who' }, (frame) => frame.type === 'who');
      return (reply.users as Array<{ name: string }>).some((user) => user.name.startsWith('Churn'));
    };
    await waitUntil(async () => !(await churnListed()) && (await e2e.partition('SUBS#topic:churn')).length === 0);
    await waitUntil(() => iterators.open() <= before, 2000).catch(() => undefined);

    expect(iterators.open() - before).toBeLessThanOrEqual(0);
  });
});
