import { Hash } from '@smithy/core/serde';
/**
 * `npm run presign -- --name Ada`: a WebSocket URL of the local stack presigned with SigV4 (service
 * `execute-api`) and the local key pair, for `npm start -- --auth iam`, printed alone on stdout (so
 * `npx wscat -c "$(npm run -s presign)"` works). It signs as docs/auth.md shows a client signing.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { LOCAL_IAM_CREDENTIALS } from '../packages/local/src/sigv4-credentials';
import { readScriptFlags, runScript } from './local/script-cli';

const HELP = `Usage: npm run presign -- [options]

Prints a WebSocket URL of the local stack presigned with SigV4 and the local key pair, which
npm start -- --auth iam (AuthMode=iam) accepts.

Options:
  --url <ws-url>        the gateway (default ws://localhost:3001) [SWITCHBOARD_WS_URL]
  --name <text>         ?name= (signed with the URL: parameters added afterwards break the signature)
  --topic-name <topic>  ?topicName=
  --room <room>         ?room=
  --expires-in <s>      seconds the URL may be used to connect (default 300; 1 to 604800)
  --help                this text

Then: npx wscat -c "$(npm run -s presign -- --name Ada)"
`;

async function main(): Promise<number> {
  const values = readScriptFlags(
    {
      url: { type: 'string' },
      name: { type: 'string' },
      'topic-name': { type: 'string' },
      room: { type: 'string' },
      'expires-in': { type: 'string' },
    },
    HELP,
  );
  if (typeof values === 'number') return values;
  const expiresIn = Number(values['expires-in'] ?? 300);
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > 604_800) {
    console.error(`--expires-in: a whole number of seconds from 1 to 604800, not ${values['expires-in']}\n\n${HELP}`);
    return 2;
  }
  const url = new URL(String(values.url ?? process.env.SWITCHBOARD_WS_URL ?? 'ws://localhost:3001'));
  const query: Record<string, string> = {};
  for (const [flag, parameter] of [
    ['name', 'name'],
    ['topic-name', 'topicName'],
    ['room', 'room'],
  ] as const) {
    const value = values[flag];
    if (typeof value === 'string') query[parameter] = value;
  }
  const signer = new SignatureV4({
    credentials: LOCAL_IAM_CREDENTIALS,
    region: 'us-east-1',
    service: 'execute-api',
    sha256: Hash.bind(null, 'sha256'),
  });
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: url.protocol,
      hostname: url.host,
      path: url.pathname,
      query,
      headers: { host: url.host },
    },
    { expiresIn },
  );
  const search = new URLSearchParams(signed.query as Record<string, string>).toString();
  console.log(`${url.protocol}//${url.host}${url.pathname}?${search}`);
  return 0;
}

runScript(main);
