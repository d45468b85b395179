import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { type OidcIssuer, startOidcIssuer } from '../../scripts/local/oidc-issuer';

const ROOT = resolve(__dirname, '../..');
const TSX = resolve(ROOT, 'node_modules/.bin/tsx');

/** `npm run token -- ...args`, as the shell runs it: exit code, stdout, stderr. */
async function token(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(TSX, ['scripts/token.ts', ...args], { cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('npm run token', () => {
  let issuer: OidcIssuer;

  beforeAll(async () => {
    issuer = await startOidcIssuer({ dataDir: null, port: 0 });
  });
  afterAll(async () => {
    await issuer.stop();
  });

  it('prints only a token of the running issuer, for the sub and name asked', async () => {
    const result = await token('--sub', 'alice', '--name', 'Alice', '--expires-in', '600', '--issuer', issuer.issuer);
    const { payload } = await jwtVerify(result.stdout.trim(), createRemoteJWKSet(new URL(issuer.jwksUrl)), {
      issuer: issuer.issuer,
      audience: issuer.audience,
    });

    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    expect(payload).toMatchObject({ sub: 'alice', name: 'Alice' });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(600);
  });

  it('exits 2 with the usage for a missing --sub or an unknown flag, and with the issuer’s reason for a bad value', async () => {
    const [missing, unknown, refused] = await Promise.all([
      token('--issuer', issuer.issuer),
      token('--sub', 'alice', '--colour', 'red'),
      token('--sub', 'alice', '--expires-in', '999999', '--issuer', issuer.issuer),
    ]);

    expect([missing.code, unknown.code, refused.code]).toEqual([2, 2, 2]);
    expect(missing.stderr).toMatch(/--sub is required/);
    expect(unknown.stderr).toMatch(/colour/);
    expect(refused.stderr).toMatch(/expiresInSeconds/);
    expect(missing.stdout + unknown.stdout + refused.stdout).toBe('');
  });

  it('exits 1 and says how to start the issuer when none answers', async () => {
    const result = await token('--sub', 'alice', '--issuer', 'http://127.0.0.1:1');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/npm start -- --auth jwt/);
  });
});
