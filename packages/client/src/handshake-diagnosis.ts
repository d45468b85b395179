/** What one handshake carried, and what it deliberately left out to find out why earlier ones failed. */
export interface Handshake {
  token: string | undefined;
  name: string | undefined;
  withoutName: boolean;
  withoutToken: boolean;
  /** With the token, right after a handshake without it went through: is the token really refused? */
  confirmsToken: boolean;
  /** Without the token, after that confirmation failed: its session is the user's new identity. */
  adopt: boolean;
}

/**
 * Failed handshakes in a row, while the server answers over HTTP, before the page tries once without its
 * token. A refused token (401) fails every time; a 5xx or 429 rarely fails this often in a row.
 */
export const FAILURES_BEFORE_TOKENLESS_TRY = 3;

/**
 * Why handshakes fail, as far as a browser can tell. It sees no HTTP status, so a refused token (401), a
 * refused name (400), a throttle (429) and a server error (5xx) all look alike. Suspects are tested one at a
 * time and nothing is thrown away on a guess: a new name is dropped only when the same handshake without it
 * succeeds, and the token is replaced only when, after several refusals in a row, a handshake without it
 * succeeds and the token is then refused once more. It only decides; the client opens the sockets.
 */
export class HandshakeDiagnosis {
  /** What the next handshake leaves out, to test a suspicion about why the previous one failed. */
  private nextTry: { withoutName?: boolean; withoutToken?: boolean; confirmsToken?: boolean; adopt?: boolean } = {};
  /** The name was changed and no handshake with it has succeeded yet: the first suspect if one fails. */
  private nameUntested = false;
  private refusals = 0;

  /** Starts over, with nothing suspected: a new connection, or a handshake went through. */
  reset(): void {
    this.nextTry = {};
    this.nameUntested = false;
    this.refusals = 0;
  }

  /** The display name was just changed (to a name, or to none). */
  nameChanged(hasName: boolean): void {
    this.reset();
    this.nameUntested = hasName;
  }

  /** The handshake to make now, from the identity and name the client holds. */
  next(token: string | undefined, name: string | undefined): Handshake {
    const { withoutName = false, withoutToken = false, confirmsToken = false, adopt = false } = this.nextTry;
    this.nextTry = {};
    return {
      token: withoutToken ? undefined : token,
      name: withoutName ? undefined : name,
      withoutName,
      withoutToken,
      confirmsToken,
      adopt,
    };
  }

  /**
   * A handshake without the token went through. That the server now takes handshakes does not prove it
   * refuses the token (it may just have recovered from an outage): 'confirm' means close this one unused
   * and try the token once more at once; 'adopt' means the token was refused again, so keep this session.
   */
  tokenlessSucceeded(handshake: Handshake): 'confirm' | 'adopt' {
    if (handshake.adopt) return 'adopt';
    this.nextTry = { confirmsToken: true };
    return 'confirm';
  }

  /** A handshake failed before opening, and the server answers HTTP: retry at once, or after the backoff. */
  refused(handshake: Handshake): 'now' | 'backoff' {
    if (handshake.confirmsToken) {
      // Refused with the token just after a handshake without it went through: the token is to blame.
      this.nextTry = { withoutToken: true, adopt: true };
      return 'now';
    }
    if (handshake.withoutName) this.nameUntested = false;
    if (handshake.name !== undefined && this.nameUntested) {
      this.nextTry = { withoutName: true };
      return 'now';
    }
    if (handshake.withoutToken) {
      // Refused without the token too: the server refuses everyone, and the token is not to blame.
      this.refusals = 0;
      return 'backoff';
    }
    if (handshake.token !== undefined && ++this.refusals >= FAILURES_BEFORE_TOKENLESS_TRY)
      this.nextTry = { withoutToken: true };
    return 'backoff';
  }

  /** The socket opened: `$connect` accepted what it carried, so a token it carried is not refused. */
  opened(handshake: Handshake): void {
    if (handshake.token !== undefined) this.refusals = 0;
  }

  /** A handshake went through: what it proves about the ones that failed before it. */
  succeeded(handshake: Handshake): { nameRefused: boolean; tokenRefused: boolean } {
    this.reset();
    return { nameRefused: handshake.withoutName, tokenRefused: handshake.withoutToken && handshake.adopt };
  }
}
