/**
 * A short tag for a user, stable for its life, shown beside its name wherever names appear so that two
 * users are told apart whatever names they choose (the same name, a look-alike such as a Cyrillic "А",
 * or a suffix such as " (admin)"): `#` and the first 8 letters and digits of the user id, lower-cased.
 * The server draws user ids at random (UUIDs, whose first 8 digits are 32 random bits), so no one can pick
 * another user's tag; matching one by chance takes billions of new identities.
 */
export function userTag(userId: string): string {
  return `#${userId.replace(/[^A-Za-z0-9]/g, '').slice(0, 8).toLowerCase()}`;
}
