import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CryptoKey, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';

/** The local issuer's RS256 key pair, and the public half as its JWKS publishes it (with `kid`). */
export interface OidcSigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

const ALG = 'RS256';
const FILE = 'oidc-signing-key.json';

/**
 * The local OIDC issuer's signing key: generated on first use and kept in `<dataDir>/oidc-signing-key.json`
 * (0600), so tokens minted before a restart still verify after it, as the token secret does. Without a data
 * folder it lives as long as the process.
 */
export async function loadOidcSigningKey(dataDir: string | null): Promise<OidcSigningKey> {
  const file = dataDir ? join(dataDir, FILE) : null;
  if (file && existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as JWK;
    return fromPrivateJwk(stored);
  }
  const { privateKey } = await generateKeyPair(ALG, { extractable: true, modulusLength: 2048 });
  const privateJwk = await exportJWK(privateKey);
  if (file && dataDir) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${JSON.stringify(privateJwk)}\n`, { mode: 0o600 });
  }
  return fromPrivateJwk(privateJwk);
}

async function fromPrivateJwk(privateJwk: JWK): Promise<OidcSigningKey> {
  const { kty, n, e } = privateJwk;
  const publicPart: JWK = { kty, n, e };
  const kid = await calculateJwkThumbprint(publicPart);
  const privateKey = (await importJWK(privateJwk, ALG)) as CryptoKey;
  return { kid, privateKey, publicJwk: { ...publicPart, kid, alg: ALG, use: 'sig' } };
}
