import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { closeServer, listen } from '../../packages/local/src/listen';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../packages/local/src/stack';
import { loadLocalSecret } from './local-secret';
import { createStaticWebServer } from './static-web-server';

/** The local stack's options plus what only Switchboard has: its front end. */
export interface SwitchboardStackOptions extends LocalStackOptions {
  /** Front end (`web/dist`) and `/config.json` (default 3000); null runs no web server. */
  webPort?: number | null;
}

export interface SwitchboardStack extends LocalStack {
  webUrl: string | null;
}

/**
 * Switchboard on the local stack: the stack runs template.yaml as it would any SAM app; this adds what is
 * Switchboard's own, the token secret (kept in the data folder, in place of Secrets Manager) and the web server.
 */
export async function startSwitchboardStack(options: SwitchboardStackOptions = {}): Promise<SwitchboardStack> {
  const { webPort: webPortOption, ...stackOptions } = options;
  const projectRoot = resolve(options.projectRoot ?? process.cwd());
  const dataDir = options.dataDir === null ? null : resolve(projectRoot, options.dataDir ?? '.switchboard/data');
  const log = options.log ?? ((line: string) => console.log(line));
  const stack = await startLocalStack({
    ...stackOptions,
    env: { TOKEN_SECRET: loadLocalSecret(dataDir), ...options.env },
  });
  if (webPortOption === null) return { ...stack, webUrl: null };
  try {
    const distDir = join(projectRoot, 'web', 'dist');
    if (!existsSync(distDir)) log(`web/dist is not built: the front end is not served (only /config.json)`);
    const webServer = createStaticWebServer({
      distDir,
      config: () => ({ wsUrl: stack.wsUrl, httpUrl: stack.httpUrl }),
    });
    const webPort = await listen(webServer, webPortOption ?? 3000, options.host ?? '127.0.0.1');
    return {
      ...stack,
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
