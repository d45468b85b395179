import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../lib/child-stack';
import { ClientPool } from '../lib/client-pool';
import { int, mb, median, ms, ratio, sleep, withTimeout } from '../lib/stats';
import type { Table } from '../lib/table';
import { writeArchitectApp, writeServerlessApp, writeSwitchboardApp } from '../peers/apps';
import { type Installed, installPeer, PEERS_ROOT } from '../peers/install';
import { freePort, type Gateway, logTail, startGateway, treeRss } from '../peers/process';

const execFileAsync = promisify(execFile);

export interface PeerSettings {
  clients: number;
  /** Fan-out repetitions per gateway (the median is reported), after one warm-up. */
  runs: number;
}

export interface PeerSummary {
  tables: Table[];
  /** Rows for the targets table: target, measured, verdict. */
  targets?: string[][];
  skipped?: string;
  /** Packages actually installed for the peers. */
  versions?: string[];
  /** Markdown paragraphs under the tables: what it means, misses and why. */
  text?: string;
}

interface Measured {
  name: string;
  version: string;
  clients: number;
  opened: number;
  failed: number;
  failReasons: string[];
  connectRate: number;
  rssBase: number;
  rssIdle: number;
  fanOut: number[];
  fanOutMissing: number;
  /** Stored connections left after every client closed (NaN: could not ask). */
  stale: number;
  cleanMs: number;
  error?: string;
}

const SERVERLESS = ['serverless@3', 'serverless-offline@13'];
const ARCHITECT = ['@architect/sandbox@8', '@architect/functions@8'];
const log = (line: string): void => console.log(line);

/** Asks the app (through the probe client) how many connections it has stored. */
async function storedCount(probe: ClientPool, timeoutMs = 10_000): Promise<number> {
  const previous = probe.onFrame;
  try {
    return await withTimeout(
      new Promise<number>((resolve) => {
        probe.onFrame = (_i, frame) => {
          if (typeof frame.count === 'number') resolve(frame.count);
        };
        probe.sockets[0]?.send('count');
      }),
      timeoutMs,
      'stored connection count',
    );
  } finally {
    probe.onFrame = previous;
  }
}

async function measure(gateway: Gateway, version: string, settings: PeerSettings, slow: boolean): Promise<Measured> {
  const m: Measured = {
    name: gateway.name,
    version,
    clients: settings.clients,
    opened: 0,
    failed: 0,
    failReasons: [],
    connectRate: Number.NaN,
    rssBase: Number.NaN,
    rssIdle: Number.NaN,
    fanOut: [],
    fanOutMissing: 0,
    stale: Number.NaN,
    cleanMs: Number.NaN,
  };
  const pool = new ClientPool();
  const probe = new ClientPool();
  try {
    await sleep(1000);
    m.rssBase = treeRss(gateway.pid);
    log(`   ${gateway.name}: ${settings.clients} connects in batches of 100 ...`);
    const opened = await pool.open(gateway.wsUrl, settings.clients, {}, 100, 15_000);
    m.opened = opened.opened;
    m.failed = opened.failed;
    m.failReasons = opened.reasons;
    m.connectRate = (opened.opened / opened.ms) * 1000;
    await sleep(1000);
    m.rssIdle = treeRss(gateway.pid);

    if (pool.size > 0) {
      log(
        `   ${gateway.name}: fan-out of one frame to ${pool.size} clients, ${settings.runs} runs after a warm-up ...`,
      );
      for (let run = 0; run <= settings.runs; run += 1) {
        const tag = `fan-${run}-${Date.now()}`;
        const expected = pool.size;
        let got = 0;
        const done = new Promise<void>((resolve) => {
          pool.onFrame = (_i, frame) => {
            if (frame.t !== tag) return;
            got += 1;
            if (got === expected) resolve();
          };
        });
        const started = performance.now();
        pool.sockets[0]?.send(JSON.stringify({ t: tag }));
        const ok = await withTimeout(done, slow ? 60_000 : 30_000, 'fan-out').then(
          () => true,
          () => false,
        );
        const elapsed = performance.now() - started;
        pool.onFrame = () => undefined;
        if (run > 0) {
          m.fanOut.push(ok ? elapsed : Number.POSITIVE_INFINITY);
          m.fanOutMissing = Math.max(m.fanOutMissing, expected - got);
        }
        if (!ok) break;
        await sleep(300);
      }
    }

    log(`   ${gateway.name}: all ${pool.size} clients close at once ...`);
    const probeOpened = await probe.open(gateway.wsUrl, 1, {}, 1, 15_000);
    const closeStarted = Date.now();
    await pool.closeAll(30_000);
    if (probeOpened.opened === 1) {
      const deadline = Date.now() + (slow ? 60_000 : 30_000);
      let count = Number.NaN;
      while (Date.now() < deadline) {
        count = await storedCount(probe).catch(() => Number.NaN);
        if (count === 1) break;
        await sleep(500);
      }
      m.stale = count - 1;
      m.cleanMs = count === 1 ? Date.now() - closeStarted : Number.NaN;
    }
  } catch (error) {
    m.error = error instanceof Error ? error.message : String(error);
  } finally {
    pool.terminateAll();
    probe.terminateAll();
  }
  return m;
}

async function runOne(
  name: string,
  start: () => Promise<Gateway>,
  version: string,
  settings: PeerSettings,
  slow = false,
): Promise<Measured | string> {
  let gateway: Gateway | undefined;
  try {
    log(`   starting ${name} ...`);
    gateway = await start();
    const measured = await measure(gateway, version, settings, slow);
    if (measured.opened === 0 && !measured.error) {
      const tail = logTail(gateway.logFile, 1);
      measured.error = `no client connected${tail ? `; last log line: ${tail.slice(0, 120)}` : ''}`;
    }
    return measured;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await gateway?.stop();
  }
}

/**
 * Section 5: the same minimal app (bench/peers/apps.ts) behind Switchboard's local stack, serverless-offline
 * (in-process) and Architect's sandbox, each gateway alone in a child process, with a plain `ws` broadcast as the
 * floor. The peers are installed with `npm install --prefix` into folders under os.tmpdir(), kept between runs.
 */
export async function runPeers(settings: PeerSettings): Promise<PeerSummary> {
  mkdirSync(PEERS_ROOT, { recursive: true });
  const skippedLines: string[] = [];
  const results: Measured[] = [];
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_REGION: 'us-east-1',
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    SLS_DEPRECATION_DISABLE: '*',
    SLS_INTERACTIVE_SETUP_DISABLE: '1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const keep = (result: Measured | string, name: string): void => {
    if (typeof result === 'string') {
      skippedLines.push(`${name}: did not run (${result})`);
      log(`   skipped ${name}: ${result}`);
    } else {
      results.push(result);
      if (result.error) log(`   ${name}: ${result.error}`);
    }
  };

  // Switchboard's local stack with the minimal app.
  const sbDir = join(PEERS_ROOT, 'switchboard-app');
  const sbPort = await freePort();
  const { templatePath } = writeSwitchboardApp(sbDir, sbPort);
  keep(
    await runOne(
      'Switchboard',
      () =>
        startGateway(
          'Switchboard',
          process.execPath,
          [
            '--import',
            'tsx',
            join(PROJECT_ROOT, 'bench', 'peers', 'switchboard-app-process.ts'),
            JSON.stringify({ projectRoot: sbDir, templatePath, wsPort: sbPort }),
          ],
          {
            cwd: PROJECT_ROOT,
            env,
            wsUrl: `ws://localhost:${sbPort}`,
            logFile: join(sbDir, 'gateway.log'),
            readyTimeoutMs: 60_000,
          },
        ),
      'switchboard (this repository, packages/local/src/stack.ts)',
      settings,
    ),
    'Switchboard',
  );

  // serverless@3 + serverless-offline@13, handlers in-process.
  let serverless: Installed | undefined;
  const versions: string[] = [];
  try {
    serverless = await installPeer(SERVERLESS, log);
    versions.push(...serverless.versions);
    log(
      `   ${serverless.versions.join(', ')} ${serverless.cached ? '(cached)' : `installed in ${ms(serverless.installMs)}`}`,
    );
  } catch (error) {
    skippedLines.push(
      `serverless-offline: skipped, the install failed (${error instanceof Error ? error.message : String(error)})`,
    );
    log(`   skipped serverless-offline: ${skippedLines.at(-1)}`);
  }
  if (serverless) {
    const dir = serverless.dir;
    const [wsPort, httpPort, lambdaPort] = [await freePort(), await freePort(), await freePort()];
    writeServerlessApp(dir, wsPort);
    keep(
      await runOne(
        'serverless-offline',
        () =>
          startGateway(
            'serverless-offline',
            process.execPath,
            [
              join(dir, 'node_modules', 'serverless', 'bin', 'serverless.js'),
              'offline',
              'start',
              '--useInProcess',
              '--websocketPort',
              String(wsPort),
              '--httpPort',
              String(httpPort),
              '--lambdaPort',
              String(lambdaPort),
              '--host',
              '127.0.0.1',
            ],
            {
              cwd: dir,
              env,
              wsUrl: `ws://localhost:${wsPort}`,
              logFile: join(dir, 'gateway.log'),
              readyTimeoutMs: 90_000,
            },
          ),
        serverless.versions.join(' + '),
        settings,
      ),
      'serverless-offline',
    );
  }

  // @architect/sandbox@8, every invocation in a new process.
  let architect: Installed | undefined;
  try {
    architect = await installPeer(ARCHITECT, log);
    versions.push(...architect.versions);
    log(
      `   ${architect.versions.join(', ')} ${architect.cached ? '(cached)' : `installed in ${ms(architect.installMs)}`}`,
    );
  } catch (error) {
    skippedLines.push(
      `Architect: skipped, the install failed (${error instanceof Error ? error.message : String(error)})`,
    );
    log(`   skipped Architect: ${skippedLines.at(-1)}`);
  }
  if (architect) {
    const dir = architect.dir;
    writeArchitectApp(dir);
    const [httpPort, tablesPort, internalPort] = [await freePort(), await freePort(), await freePort()];
    keep(
      await runOne(
        'Architect sandbox',
        () =>
          startGateway(
            'Architect sandbox',
            process.execPath,
            [
              '-e',
              `require('@architect/sandbox').start({ cwd: process.cwd(), quiet: true }).catch((e) => { console.error(e); process.exit(1); })`,
            ],
            {
              cwd: dir,
              env: {
                ...env,
                ARC_HTTP_PORT: String(httpPort),
                ARC_TABLES_PORT: String(tablesPort),
                ARC_INTERNAL_PORT: String(internalPort),
              },
              wsUrl: `ws://localhost:${httpPort}`,
              logFile: join(dir, 'gateway.log'),
              readyTimeoutMs: 90_000,
            },
          ),
        architect.versions.filter((v) => v.includes('sandbox')).join(''),
        settings,
        true,
      ),
      'Architect sandbox',
    );
  }

  // The floor: plain ws broadcasting in one process.
  const plainPort = await freePort();
  keep(
    await runOne(
      'plain ws',
      () =>
        startGateway(
          'plain ws',
          process.execPath,
          ['--import', 'tsx', join(PROJECT_ROOT, 'bench', 'peers', 'plain-broadcast-process.ts'), String(plainPort)],
          {
            cwd: PROJECT_ROOT,
            env,
            wsUrl: `ws://localhost:${plainPort}`,
            logFile: join(PEERS_ROOT, 'plain-ws.log'),
            readyTimeoutMs: 30_000,
          },
        ),
      'ws (project devDependency)',
      settings,
    ),
    'plain ws',
  );

  // The handler's own floor: the app's `$default` alone, against an endpoint that does nothing.
  let floor: Floor = { app: [], sdkOnly: [] };
  try {
    log(`   handler floor: the app's $default to ${int(settings.clients)} ids, no gateway ...`);
    floor = await handlerFloor(join(sbDir, 'app.js'), settings, env);
  } catch (error) {
    skippedLines.push(`handler floor: did not run (${error instanceof Error ? error.message : String(error)})`);
  }

  return summarize(results, skippedLines, versions, settings, floor);
}

interface Floor {
  /** The app's `$default` handler alone, per run. */
  app: number[];
  /** The SDK client alone, without HTTP, per run. */
  sdkOnly: number[];
}

/**
 * Times the minimal app's `$default` handler run directly in a child process (bench/peers/handler-floor-process.ts)
 * against an `@connections` endpoint in this process that answers every call with 200 and does nothing else.
 * Returns the measured runs (the warm-ups dropped).
 */
async function handlerFloor(appPath: string, settings: PeerSettings, env: NodeJS.ProcessEnv): Promise<Floor> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const args = JSON.stringify({
      appPath,
      endpoint: `http://localhost:${port}`,
      clients: settings.clients,
      runs: settings.runs,
    });
    const { stdout } = await execFileAsync(
      process.execPath,
      ['--import', 'tsx', join(PROJECT_ROOT, 'bench', 'peers', 'handler-floor-process.ts'), args],
      { cwd: PROJECT_ROOT, env, timeout: 120_000 },
    );
    const line = stdout.trim().split('\n').at(-1) ?? '';
    const { times, sdkOnly } = JSON.parse(line) as { times: number[]; sdkOnly: number[] };
    return { app: times.slice(1), sdkOnly: sdkOnly.slice(1) };
  } finally {
    server.close();
  }
}

function summarize(
  results: Measured[],
  skippedLines: string[],
  versions: string[],
  settings: PeerSettings,
  floorRuns: Floor,
): PeerSummary {
  const fan = (m: Measured): number => median(m.fanOut);
  const sb = results.find((m) => m.name === 'Switchboard');
  const sls = results.find((m) => m.name === 'serverless-offline');
  const arc = results.find((m) => m.name === 'Architect sandbox');
  const plain = results.find((m) => m.name === 'plain ws');
  const fanCell = (m: Measured): string => {
    if (!m.fanOut.length) return 'n/a';
    const value = fan(m);
    return Number.isFinite(value)
      ? `${ms(value)} (${m.fanOut.length} runs)${m.fanOutMissing ? `, ${int(m.fanOutMissing)} missing` : ''}`
      : `timed out, ${int(m.fanOutMissing)} missing`;
  };
  const floor = median(floorRuns.app);
  const sdkOnly = median(floorRuns.sdkOnly);
  const aboveFloor = (m: Measured): number => fan(m) - floor;
  const table: Table = {
    title: `5. The same minimal app behind each gateway, ${int(settings.clients)} clients`,
    headers: [
      'gateway',
      'package',
      'connects/s (batches of 100)',
      'failed connects',
      `RSS idle: 0 / ${int(settings.clients)} clients`,
      'fan-out of one frame (median)',
      'vs serverless-offline',
      'above the handler floor',
      'stale records after all close',
      'store clean after',
    ],
    rows: results.map((m) => [
      m.name,
      m.version,
      Number.isFinite(m.connectRate) ? `${int(m.connectRate)}/s` : 'n/a',
      `${int(m.failed)}${m.failReasons.length ? ` (${[...new Set(m.failReasons)].slice(0, 2).join(', ')})` : ''}`,
      `${mb(m.rssBase)} / ${mb(m.rssIdle)}${m.opened < m.clients ? ` (${int(m.opened)} held)` : ''}`,
      `${fanCell(m)}${m.opened < m.clients && m.fanOut.length ? ` to ${int(m.opened)}` : ''}`,
      sls && sls !== m && Number.isFinite(fan(sls)) && m.fanOut.length
        ? ratio(fan(m) / fan(sls))
        : m === sls
          ? '1.00x'
          : '-',
      m.name === 'plain ws' || !m.fanOut.length || !Number.isFinite(floor) ? '-' : ms(aboveFloor(m)),
      Number.isFinite(m.stale) ? int(m.stale) : 'could not ask',
      Number.isFinite(m.cleanMs) ? ms(m.cleanMs) : m.error ? m.error.slice(0, 60) : 'not clean',
    ]),
    notes: [
      'Each gateway runs alone in a child process (its output in a log file under os.tmpdir()/switchboard-bench-peers); RSS is that process and its descendants (Architect spawns a process per invocation), from /proc.',
      "The app is the same everywhere: `$connect` stores the connection id, `$disconnect` deletes it, `$default` posts the frame to every stored connection through `@connections` with `Promise.all` (the SDK client `@aws-sdk/client-apigatewaymanagementapi` for Switchboard and serverless-offline, `arc.ws.send` for Architect). Storage: a Map kept warm in the handlers' memory: for Switchboard one function behind the three routes (each function runs in a worker thread of its own, so three functions would not share a Map, as they would not in Lambda), for serverless-offline three handlers in its own process; an `@tables` table in the sandbox's dynalite for Architect, whose every invocation is a new process.",
      'Fan-out: one client sends one frame; the clock runs until the last client has it (median after one warm-up run). Stale records: after every client sent its close frame at once, a fresh client asks `$default` for the number of stored connections (minus itself), polled up to 30 s (60 s for Architect).',
      'plain ws: a `ws` server that broadcasts every frame to every client in one process, the floor of this machine.',
      `Handler floor: the same \`$default\` handler run directly in a child process, with no gateway, posting to ${int(settings.clients)} ids through the same SDK client against an \`@connections\` endpoint in another process that answers 200 and does nothing: ${Number.isFinite(floor) ? `${ms(floor)} (median of ${floorRuns.app.length} after a warm-up); the SDK client alone, ${int(settings.clients)} \`PostToConnectionCommand\`s through a request handler that answers 200 at once without HTTP: ${ms(sdkOnly)}` : 'did not run'}. This is the handler's own cost, which every gateway pays; "above the handler floor" is what each gateway adds to it (its HTTP server for \`@connections\`, socket writes, invocation).`,
      ...results.filter((m) => m.error).map((m) => `${m.name}: ${m.error}.`),
      ...skippedLines,
    ],
  };

  const targets: string[][] = [];
  const verdict = (ok: boolean | undefined): string => (ok === undefined ? 'not run' : ok ? 'met' : 'MISSED');
  const sbFan = sb ? fan(sb) : Number.NaN;
  const slsFan = sls ? fan(sls) : Number.NaN;
  const fanOk =
    sb && sls && Number.isFinite(sbFan) && Number.isFinite(slsFan)
      ? sbFan <= slsFan / 2 && sb.fanOutMissing === 0
      : undefined;
  targets.push([
    "peers: fan-out to 1,000 at most half of serverless-offline's time, same run",
    sb && sls
      ? `Switchboard ${ms(sbFan)}, serverless-offline ${ms(slsFan)} (${(sbFan / slsFan).toFixed(3)}x)`
      : 'a gateway did not run',
    verdict(fanOk),
  ]);
  const shareMeasured = sb && sls && Number.isFinite(floor) && Number.isFinite(sbFan) && Number.isFinite(slsFan);
  // A floor above a gateway's own time means the machine was busier while the floor ran: no share to compare.
  const shareNoisy = shareMeasured && (aboveFloor(sb) < 0 || aboveFloor(sls) <= 0);
  const shareOk =
    shareMeasured && !shareNoisy ? aboveFloor(sb) <= aboveFloor(sls) / 2 && sb.fanOutMissing === 0 : undefined;
  targets.push([
    "peers: the gateway's own share of that fan-out (time above the handler floor) at most half of serverless-offline's",
    shareMeasured
      ? `handler floor ${ms(floor)}; above it: Switchboard ${ms(aboveFloor(sb))}, serverless-offline ${ms(aboveFloor(sls))}${shareNoisy ? '' : ` (${(aboveFloor(sb) / aboveFloor(sls)).toFixed(3)}x)`}`
      : 'not measured',
    shareNoisy ? 'NOISY (the floor took longer than a gateway: run again on a quiet machine)' : verdict(shareOk),
  ]);
  const connectOk = sb ? sb.connectRate >= 500 && sb.failed === 0 && sb.opened === settings.clients : undefined;
  targets.push([
    'peers: 1,000 connects in batches of 100: >= 500/s, zero failures',
    sb ? `${int(sb.connectRate)}/s, ${int(sb.failed)} failed` : '-',
    verdict(connectOk),
  ]);
  const staleOk = sb ? sb.stale === 0 : undefined;
  targets.push([
    'peers: 1,000 close at once: every $disconnect runs, zero stale records',
    sb
      ? `${Number.isFinite(sb.stale) ? int(sb.stale) : 'unknown'} stale${Number.isFinite(sb.cleanMs) ? `, clean after ${ms(sb.cleanMs)}` : ''}`
      : '-',
    verdict(staleOk),
  ]);
  const rssOk = sb && Number.isFinite(sb.rssIdle) ? sb.rssIdle < 150 * 1024 * 1024 : undefined;
  targets.push(['peers: RSS with 1,000 idle connections under 150 MB', sb ? mb(sb.rssIdle) : '-', verdict(rssOk)]);

  const text: string[] = [];
  const line = (m: Measured | undefined, f: (m: Measured) => string): string => (m ? f(m) : '');
  text.push(`**What it means.** The three gateways run the same three handlers, so the differences are the gateways':
how they invoke a handler and how they serve \`@connections\`. ${line(sb, (m) => `Switchboard's local stack took ${ms(fan(m))} to deliver one frame to ${int(m.opened)} clients`)}${line(sls, (m) => `, serverless-offline (in-process) ${ms(fan(m))}`)}${line(arc, (m) => (m.opened === 0 ? `; Architect's sandbox accepted none of the clients` : `, Architect's sandbox ${m.fanOut.length ? ms(fan(m)) : 'n/a'}${m.opened < m.clients ? ` (to the ${int(m.opened)} clients it accepted)` : ''}`))}${line(plain, (m) => `; a plain \`ws\` broadcast in one process takes ${ms(fan(m))}, the floor: everything above it is the cost of 1,000 signed HTTP \`@connections\` calls and their handling`)}.
${line(arc, (m) => `Architect's sandbox starts a new Node process for every invocation (Lambda-like isolation, no warm container), so each \`$connect\` costs a process start: ${int(m.connectRate)} connects/s with ${int(m.failed)} of ${int(m.clients)} failing.`)}
${line(arc, (m) => (Number.isFinite(m.stale) ? '' : `Architect's stale records could not be counted: the probe client's \`count\` frame got no answer within the wait (its connect or its \`$default\` invocation failed like the others), so the close-at-once check has no figure for it.\n`))}These are local development servers on one machine; none of this says how API Gateway performs in AWS.`);
  const misses: string[] = [];
  if (fanOk === false && sb && sls) {
    const floorText = Number.isFinite(floor)
      ? `The handler floor, measured in the same run, shows why: the app's \`$default\` alone, with no gateway and an \`@connections\` endpoint that does nothing in another process, takes ${ms(floor)} to make its ${int(settings.clients)} SDK calls (signing, middleware, HTTP client), ${floor > slsFan / 2 ? `more than half of serverless-offline's ${ms(slsFan)}: no gateway that runs this handler can reach 0.50x of it on this machine` : `${ratio(floor / slsFan)} of serverless-offline's time`}. Above that floor Switchboard adds ${ms(aboveFloor(sb))} and serverless-offline ${ms(aboveFloor(sls))} (${ratio(aboveFloor(sb) / aboveFloor(sls))}).`
      : "The handler floor did not run, so the handler's own share is not known for this run.";
    misses.push(
      `- **Fan-out** (${ms(sbFan)} vs serverless-offline's ${ms(slsFan)}, ${ratio(sbFan / slsFan)}; target 0.50x): both gateways run the same handler, which makes one signed SDK call per recipient. ${floorText} The floor is the handler's SDK client and its HTTP requests; without HTTP (a request handler that answers at once) the same calls take ${ms(sdkOnly)}. Only a gateway that reached into the handler's SDK client and replaced its HTTP transport could go below the floor, and that would stop exercising what runs in AWS (the endpoint, the signing, the HTTP status codes and error types), which is what the local stack is for; Switchboard does not do it. Its own share, the time above the floor, is what it controls, and that is the figure in the next row of the targets.`,
    );
  }
  if (shareOk === false && sb && sls) {
    misses.push(
      `- **The gateway's own share** (${ms(aboveFloor(sb))} above the handler floor vs serverless-offline's ${ms(aboveFloor(sls))}, ${ratio(aboveFloor(sb) / aboveFloor(sls))}; target 0.50x): above the floor both gateways do the same work in the handler's process, an HTTP server answering each \`@connections\` call and one socket write per recipient, which the floor's do-nothing endpoint did on the other core. What is left is Node's HTTP parsing, socket writes and the garbage they make, not the gateways' own code (in a CPU profile of Switchboard's process during these fan-outs, \`node --cpu-prof\`, the gateway's files take under 1 % and garbage collection and \`writev\` most of the rest). serverless-offline's time varies more from run to run on this machine than Switchboard's, so this ratio does too. Halving it would take a transport other than HTTP for \`@connections\`, which would stop exercising what runs in AWS; Switchboard does not do it.`,
    );
  }
  if (connectOk === false && sb)
    misses.push(
      `- **Connects** (${int(sb.connectRate)}/s, ${int(sb.failed)} failed; target 500/s and none): each handshake runs \`$connect\` before the upgrade completes; the rate is bound by the handshake and invocation path in one process.`,
    );
  if (staleOk === false && sb)
    misses.push(
      `- **Stale records** (${Number.isFinite(sb.stale) ? int(sb.stale) : 'unknown'}): some \`$disconnect\` invocations did not run or did not finish within the wait.`,
    );
  if (rssOk === false && sb)
    misses.push(
      `- **Memory** (${mb(sb.rssIdle)} with ${int(sb.opened)} idle; ${mb(sb.rssBase)} before any client): the stack process also holds tsx's TypeScript loader, the AWS SDK and dynalite (started even when the template has no table); the per-connection part is ${mb(sb.rssIdle - sb.rssBase)}. What would likely fix it (not measured here): not starting dynalite when the template has no table, and running the stack from compiled JavaScript rather than under tsx.`,
    );
  if (misses.length) text.push(`**Where Switchboard misses a target.**\n\n${misses.join('\n')}`);
  return { tables: [table], targets, versions, text: text.join('\n\n') };
}
