import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryTokenStore, type WebStorageLike, webStorageTokenStore } from '@switchboard/client';
import { fileTokenStore } from '@switchboard/client/node';

const A = 'wss://a.example/prod';
const B = 'ws://localhost:3001';

describe('token stores keep one token per server URL', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-tokens-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('in a file that a new process reads back, private to the user', () => {
    const path = join(dir, 'nested', 'tokens.json');
    const store = fileTokenStore(path);
    store.save(A, 'token-a');
    store.save(B, 'token-b');
    store.clear(B);

    const again = fileTokenStore(path);
    expect(again.load(A)).toBe('token-a');
    expect(again.load(B)).toBeUndefined();
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ [A]: 'token-a' });
    expect(statSync(path).mode & 0o077).toBe(0);
  });

  it('in a file that is missing or garbled: nothing, rather than an error', () => {
    expect(fileTokenStore(join(dir, 'none.json')).load(A)).toBeUndefined();
  });

  it('in browser storage under a prefix, and without failing when storage throws', () => {
    const items = new Map<string, string>();
    const storage: WebStorageLike = {
      getItem: (key) => items.get(key) ?? null,
      setItem: (key, value) => void items.set(key, value),
      removeItem: (key) => void items.delete(key),
    };
    const store = webStorageTokenStore(storage);
    store.save(A, 'token-a');
    expect(items.get(`switchboard.token:${A}`)).toBe('token-a');
    expect(store.load(A)).toBe('token-a');
    expect(store.load(B)).toBeUndefined();

    const broken = webStorageTokenStore({
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('full');
      },
      removeItem: () => undefined,
    });
    expect(() => broken.save(A, 't')).not.toThrow();
    expect(broken.load(A)).toBeUndefined();
  });

  it('in memory', () => {
    const store = memoryTokenStore();
    store.save(A, 'token-a');
    expect(store.load(A)).toBe('token-a');
    store.clear(A);
    expect(store.load(A)).toBeUndefined();
  });
});
