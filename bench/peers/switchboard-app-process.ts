/**
 * Runs Switchboard's local stack with the peer comparison's minimal app (bench/peers/apps.ts) alone in this
 * process, so that its memory is measured apart from the clients. argv[2]: JSON `{projectRoot, templatePath, wsPort}`.
 * Stops on SIGTERM (closing every socket, as `npm start` does) or when the bench disconnects.
 */
import { startLocalStack } from '../../packages/local/src/stack';

async function main(): Promise<void> {
  const { projectRoot, templatePath, wsPort } = JSON.parse(process.argv[2] ?? '{}') as {
    projectRoot: string;
    templatePath: string;
    wsPort: number;
  };
  const stack = await startLocalStack({
    projectRoot,
    templatePath,
    wsPort,
    httpPort: 0,
    dynamoPort: 0,
    dataDir: null,
    quiet: true,
  });
  console.log(`ready ${stack.wsUrl}`);
  const stop = (): void => {
    const timer = setTimeout(() => process.exit(0), 5000);
    void stack.stop().finally(() => {
      clearTimeout(timer);
      process.exit(0);
    });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
