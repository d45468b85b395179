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

  it('tells apart signed-in users by the part of their subject that is theirs, not a shared prefix', () => {
    // Every identity pool guest of a Region starts `us-east-1:`; every IAM signer `arn:aws:`.
    const guests = [
      'us-east-1:0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0@iam',
      'us-east-1:9a8b7c6d-1111-4222-8333-444455556666@iam',
    ];
    const signers = ['arn:aws:iam::123456789012:user/device-7@iam', 'arn:aws:iam::123456789012:user/kiosk-2@iam'];

    expect(guests.map(userTag)).toEqual(['#0f1e2d3c', '#9a8b7c6d']);
    expect(signers.map(userTag)).toEqual(['#device7', '#kiosk2']);
    expect(userTag('alice-sub@jwt')).toBe('#alicesub');
    expect(userTag('ada@example.com@jwt')).toBe('#adaexamp');
  });
});
