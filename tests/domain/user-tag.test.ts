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
});
