export interface TokenClaims {
  userId: string;
  issuedAt: Date;
}

/**
 * Issues and checks session tokens. A token proves the server issued it for that user; it cannot be
 * forged without the server's secret. `verify` returns `undefined` for anything garbled, forged or expired.
 */
export interface TokenSigner {
  issue(claims: TokenClaims): Promise<string>;
  verify(token: string): Promise<TokenClaims | undefined>;
}
