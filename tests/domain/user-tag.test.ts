import { createHash } from 'node:crypto';
import { userTag } from '../../src/domain/user-tag';

describe('userTag', () => {
  it('is # and the first 8 letters and digits of the user id, lower-cased', () => {
    expect(userTag('3F9A1C0E-5b7d-4c1e-9f00-123456789abc')).toBe('#3f9a1c0e');
    expect(userTag('ab-cd-ef-12-34')).toBe('#abcdef12');
  });

  it('tells apart users whatever their names, and is the same for every connection of one user', () => {
    const ada = { userId: 'd2b6f1a0-0000-4000-8000-000000000001', name: 'Ada' };
    const impostor = { userId: '7c41e9b2-0000-4000-8000-000000000002', name: '\u0410da' };

    expect(userTag(ada.userId)).not.toBe(userTag(impostor.userId));
    expect(userTag(ada.userId)).toBe(userTag(`${ada.userId}`));
  });

  it('gives a signed-in user the first 8 hex digits of the SHA-256 of its whole id, which no caller can choose', () => {
    // An assumed role's session name (the ARN's last part) and an OIDC `sub` that is a username are chosen
    // by the caller: a tag taken from them could be another user's.
    const victim = 'arn:aws:sts::123456789012:assumed-role/app/kiosk-2@iam';
    const impostor = 'arn:aws:sts::210987654321:assumed-role/mine/kiosk-2@iam';
    const ids = [
      victim,
      impostor,
      'us-east-1:0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0@iam',
      'alice-sub@jwt',
      'ada@example.com@jwt',
    ];

    expect(ids.map(userTag)).toEqual(
      ids.map((id) => `#${createHash('sha256').update(id, 'utf8').digest('hex').slice(0, 8)}`),
    );
    expect(userTag(victim)).not.toBe(userTag(impostor));
    expect(userTag('alice@jwt')).not.toBe(userTag('alice@iam'));
    expect(userTag('élise@jwt')).toBe(`#${createHash('sha256').update('élise@jwt', 'utf8').digest('hex').slice(0, 8)}`);
  });
});
