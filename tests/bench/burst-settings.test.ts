import { callsWithin } from '../../bench/sections/bursts';
import { burstSettings } from '../../bench/settings';

describe('burstSettings', () => {
  it('reads bursts as USERSxBATCH and room sizes as a list', () => {
    const settings = burstSettings('1000x100, 5000x250', '10,100,1000', 3);
    expect(settings.bursts).toEqual([
      { users: 1000, batch: 100 },
      { users: 5000, batch: 250 },
    ]);
    expect(settings.roomSizes).toEqual([10, 100, 1000]);
    expect(settings.joinsPerRoom).toBe(3);
    expect(settings.warmUpUsers).toBe(300);
    expect(burstSettings('200x50', '10', 2, 100).warmUpUsers).toBe(100);
  });

  it('refuses a malformed burst or room size', () => {
    expect(() => burstSettings('1000', '10', 1)).toThrow(/USERSxBATCH/);
    expect(() => burstSettings('0x10', '10', 1)).toThrow(/USERSxBATCH/);
    expect(() => burstSettings('10x10', '10,ten', 1)).toThrow(/room sizes/);
  });
});

describe('callsWithin', () => {
  it('counts the calls stamped inside the window, both ends included', () => {
    expect(callsWithin([99, 100, 150, 200, 201], 100, 200)).toBe(3);
    expect(callsWithin([], 100, 200)).toBe(0);
  });
});
