import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { closeServer, listen } from '../../packages/local/src/listen';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../packages/local/src/stack';
import { loadLocalSecret } from './local-secret';
import { type OidcIssuer, startOidcIssuer } from './oidc-issuer';
import { createStaticWebServer } from './static-web-server';

/** The local stack's options plus what only Switchboard has: its front end. */
export interface SwitchboardStackOptions extends LocalStackOptions {
  /** Front end (`web/dist`) and `/config.json` (default 3000); null runs no web server. */
  webPort?: number | null;
  /**
   * `jwt` runs the local OIDC issuer and starts the stack with `AuthMode=jwt` and the issuer's parameters
   * (`JwtIssuer`, `JwtAudience`, `JwtJwksUrl`, `JwtNameClaim`); `/config.json` then says so, with the
   * issuer's mint endpoint, and the page signs in. `iam` starts it with `AuthMode=iam` (and `iam` on):
   * clients presign the WebSocket URL with the local key pair. Default `anonymous` (the template's default).
   */
  auth?: 'anonymous' | 'jwt' | 'iam';
  /** The local OIDC issuer's port with `auth: 'jwt'` (default 3006). */
  issuerPort?: number;
}

export interface SwitchboardStack extends LocalStack {
  webUrl: string | null;
  /** The local OIDC issuer with `auth: 'jwt'`, else null. */
  issuer: OidcIssuer | null;
}

/**
 * What `/config.json` says about signing in: the page shows a sign-in control for `jwt`. With `iam` the page
 * cannot connect (it holds no credentials to sign with): a client that signs does (docs/local-stack.md).
 */
export type WebAuthConfig = { mode: 'anonymous' } | { mode: 'jwt'; issuer: string; mintUrl: string } | { mode: 'iam' };

/**
 * Switchboard on the local stack: the stack runs template.yaml as it would any SAM app; this adds what is
 * Switchboard's own, the token secret (kept in the data folder, in place of Secrets Manager) and the web server.
 */
export async function startSwitchboardStack(options: SwitchboardStackOptions = {}): Promise<SwitchboardStack> {
  const { webPort: webPortOption, auth, issuerPort, ...stackOptions } = options;
  const projectRoot = resolve(options.projectRoot ?? process.cwd());
  const dataDir = options.dataDir === null ? null : resolve(projectRoot, options.dataDir ?? '.switchboard/data');
  const log = options.log ?? ((line: string) => console.log(line));
  const issuer =
    auth === 'jwt'
      ? await startOidcIssuer({ dataDir, port: issuerPort ?? 3006, host: options.host ?? '127.0.0.1' })
      : null;
  const parameters = {
    ...(issuer ? jwtParameters(issuer) : {}),
    ...(auth === 'iam' ? { AuthMode: 'iam' } : {}),
    ...options.parameters,
  };
  // An AWS_IAM `$connect` without signature checks would reach `$connect` with no identity: every handshake 401.
  const iam = stackOptions.iam === true || parameters.AuthMode === 'iam';
  let localStack: LocalStack;
  try {
    localStack = await startLocalStack({
      ...stackOptions,
      iam,
      parameters,
      env: { TOKEN_SECRET: loadLocalSecret(dataDir), ...options.env },
    });
  } catch (error) {
    await issuer?.stop();
    throw error;
  }
  const stack: LocalStack = issuer
    ? {
        ...localStack,
        stop: async () => {
          await localStack.stop();
          await issuer.stop();
        },
      }
    : localStack;
  const webAuth: WebAuthConfig = issuer
    ? { mode: 'jwt', issuer: issuer.issuer, mintUrl: issuer.mintUrl }
    : parameters.AuthMode === 'iam'
      ? { mode: 'iam' }
      : { mode: 'anonymous' };
  if (webPortOption === null) return { ...stack, webUrl: null, issuer };
  try {
    const distDir = join(projectRoot, 'web', 'dist');
    if (!existsSync(distDir)) log(`web/dist is not built: the front end is not served (only /config.json)`);
    const webServer = createStaticWebServer({
      distDir,
      config: () => ({ wsUrl: stack.wsUrl, httpUrl: stack.httpUrl, auth: webAuth }),
    });
    const webPort = await listen(webServer, webPortOption ?? 3000, options.host ?? '127.0.0.1');
    return {
      ...stack,
      issuer,
      webUrl: `http://localhost:${webPort}`,
      stop: async () => {
        await closeServer(webServer).catch(() => undefined);
        await stack.stop();
      },
    };
  } catch (error) {
    await stack.stop();
    throw error;
  }
}

/** The template parameters of `AuthMode=jwt` for the local issuer (see template.yaml). */
function jwtParameters(issuer: OidcIssuer): Record<string, string> {
  return {
    AuthMode: 'jwt',
    JwtIssuer: issuer.issuer,
    JwtAudience: issuer.audience,
    JwtJwksUrl: issuer.jwksUrl,
    JwtNameClaim: issuer.nameClaim,
  };
}
