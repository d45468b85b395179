import type { PresenceFrame } from '../../src/domain/frames';
import { frameForRecipient } from '../../src/domain/presence/frame-for-recipient';
import { decideRoom, decideUser } from '../../src/domain/presence/presence-decision';

const ada = { userId: 'ada', name: 'Ada' };
const bob = { userId: 'bob', name: 'Bob' };

describe('decideUser', () => {
  it('announces a join when the user is there and the room was not told', () => {
    expect(decideUser({ userId: 'ada', present: ada, announced: undefined })).toBe('join');
  });

  it('announces a leave when the user is gone and the room was told they are there', () => {
    expect(decideUser({ userId: 'ada', present: undefined, announced: ada })).toBe('leave');
  });

  it('announces the user again when they are there under another name than the room was told', () => {
    expect(decideUser({ userId: 'ada', present: { userId: 'ada', name: 'Ada L.' }, announced: ada })).toBe('rename');
  });

  it('announces nothing when the room already knows', () => {
    expect(decideUser({ userId: 'ada', present: ada, announced: ada })).toBe('none');
    expect(decideUser({ userId: 'ada', present: undefined, announced: undefined })).toBe('none');
  });
});

describe('decideRoom', () => {
  it('lists a renamed user among the joined under the new name, without counting them twice', () => {
    const renamed = { userId: 'ada', name: 'Ada L.' };
    const decision = decideRoom('lobby', 4, 2, [{ userId: 'ada', present: renamed, announced: ada }], 1000);

    expect(decision).toEqual({
      arrived: [],
      renamed: [renamed],
      left: [],
      count: 2,
      frame: { type: 'presence', room: 'lobby', tick: 4, count: 2, joined: [renamed] },
    });
  });

  it('lists joins and leaves with the count after them', () => {
    const decision = decideRoom(
      'lobby',
      7,
      3,
      [
        { userId: 'ada', present: ada, announced: undefined },
        { userId: 'bob', present: undefined, announced: bob },
      ],
      1000,
    );

    expect(decision).toEqual({
      arrived: [ada],
      renamed: [],
      left: [bob],
      count: 3,
      frame: { type: 'presence', room: 'lobby', tick: 7, count: 3, joined: [ada], left: [bob] },
    });
  });

  it('sends nothing when nothing changed', () => {
    expect(decideRoom('lobby', 2, 1, [{ userId: 'ada', present: ada, announced: ada }], 1000).frame).toBeUndefined();
  });

  it('sends a count, not a roster, above the threshold', () => {
    const decision = decideRoom('big', 4, 3, [{ userId: 'ada', present: ada, announced: undefined }], 3);

    expect(decision.frame).toEqual({ type: 'presence', room: 'big', tick: 4, count: 4 });
    expect(decision.arrived).toEqual([ada]);
  });

  it('sends no count frame above the threshold when the count did not change', () => {
    const decision = decideRoom(
      'big',
      4,
      5,
      [
        { userId: 'ada', present: ada, announced: undefined },
        { userId: 'bob', present: undefined, announced: bob },
      ],
      3,
    );

    expect(decision.frame).toBeUndefined();
    expect(decision).toMatchObject({ arrived: [ada], left: [bob], count: 5 });
  });
});

describe('decideRoom for a room whose members may have missed the last count', () => {
  const unchanged = [{ userId: 'ada', present: ada, announced: ada }];

  it('sends the count again above the threshold although it did not change', () => {
    expect(decideRoom('big', 5, 2000, unchanged, 1000, true).frame).toEqual({
      type: 'presence',
      room: 'big',
      tick: 5,
      count: 2000,
    });
  });

  it('sends no frame without joins or leaves at or below the threshold, where frames list them', () => {
    expect(decideRoom('lobby', 5, 2, unchanged, 1000, true).frame).toBeUndefined();
  });
});

describe('frameForRecipient', () => {
  const frame: PresenceFrame = { type: 'presence', room: 'lobby', tick: 1, count: 2, joined: [ada], left: [bob] };

  it('strips the receiver’s own user from joined and left', () => {
    expect(frameForRecipient(frame, { userId: 'ada' })).toEqual({
      type: 'presence',
      room: 'lobby',
      tick: 1,
      count: 2,
      left: [bob],
    });
  });

  it('sends nothing when every change was the receiver’s own', () => {
    expect(
      frameForRecipient({ type: 'presence', room: 'lobby', tick: 1, count: 2, joined: [ada] }, { userId: 'ada' }),
    ).toBeUndefined();
  });

  it('sends a counts-only frame and any other frame as it is', () => {
    const counts: PresenceFrame = { type: 'presence', room: 'big', tick: 3, count: 5000 };
    const pong = { type: 'pong', at: 'now' } as const;

    expect(frameForRecipient(counts, { userId: 'ada' })).toBe(counts);
    expect(frameForRecipient(pong, { userId: 'ada' })).toBe(pong);
    expect(frameForRecipient(frame, { userId: 'carol' })).toBe(frame);
  });
});
