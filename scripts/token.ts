/**
 * `npm run token -- --sub alice --name Alice`: a test token from the local OIDC issuer of
 * `npm start -- --auth jwt`, printed alone on stdout (so `TOKEN=$(npm run -s token -- --sub alice)` works).
 */
import { DEFAULT_ISSUER_PORT } from './local/oidc-issuer';
import { readScriptFlags, runScript } from './local/script-cli';

const HELP = `Usage: npm run token -- --sub <user> [options]

Mints a test token from the local OIDC issuer that npm start -- --auth jwt runs, and prints it.

Options:
  --sub <id>            the user (the token's subject); required
  --name <text>         the display name claim
  --expires-in <s>      seconds until it expires (default 3600; at most 86400)
  --audience <aud>      another audience than the issuer's, e.g. to see a token refused
  --issuer <url>        the issuer (default http://localhost:${DEFAULT_ISSUER_PORT}) [SWITCHBOARD_ISSUER_URL]
  --help                this text

Then: npx wscat -c "ws://localhost:3001?token=$TOKEN"
`;

async function main(): Promise<number> {
  const values = readScriptFlags(
    {
      sub: { type: 'string' },
      name: { type: 'string' },
      'expires-in': { type: 'string' },
      audience: { type: 'string' },
      issuer: { type: 'string' },
    },
    HELP,
  );
  if (typeof values === 'number') return values;
  const expiresIn = values['expires-in'] === undefined ? undefined : Number(values['expires-in']);
  if (typeof values.sub !== 'string' || (expiresIn !== undefined && !Number.isInteger(expiresIn))) {
    console.error(`--sub is required and --expires-in is a whole number of seconds.\n\n${HELP}`);
    return 2;
  }
  const issuer = String(
    values.issuer ?? process.env.SWITCHBOARD_ISSUER_URL ?? `http://localhost:${DEFAULT_ISSUER_PORT}`,
  );
  const body = {
    sub: values.sub,
    ...(typeof values.name === 'string' ? { name: values.name } : {}),
    ...(expiresIn !== undefined ? { expiresInSeconds: expiresIn } : {}),
    ...(typeof values.audience === 'string' ? { audience: values.audience } : {}),
  };
  let response: Response;
  try {
    response = await fetch(`${issuer.replace(/\/$/, '')}/mint`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch {
    console.error(
      `No local issuer answers at ${issuer}: start it with npm start -- --auth jwt (or name it with --issuer).`,
    );
    return 1;
  }
  const answer = (await response.json().catch(() => ({}))) as { token?: string; expiresAt?: string; message?: string };
  if (!response.ok || typeof answer.token !== 'string') {
    console.error(`The issuer refused: ${answer.message ?? `HTTP ${response.status}`}`);
    return response.status === 400 ? 2 : 1;
  }
  console.log(answer.token);
  console.error(`(for ${body.sub}, expires ${answer.expiresAt})`);
  return 0;
}

runScript(main);
