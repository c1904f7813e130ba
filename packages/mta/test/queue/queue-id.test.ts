import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatQueueId, isQueueId, newQueueId } from '@mailstack/mta';

describe('queue ids', () => {
  it('are 19 file-name-safe characters: time, counter, random', () => {
    expect(formatQueueId({ now: 1_700_000_000_000, seq: 1, random: 35 })).toBe('0LOYW3V28' + '0001' + '00000Z');
    expect(isQueueId(newQueueId(Date.now()))).toBe(true);
    for (const bad of ['', '../x', '0LOYLTYPS000100000z', '0LOYLTYPS000100000Z.tmp']) expect(isQueueId(bad)).toBe(false);
  });
  it('sort like (time, counter)', () =>
    fc.assert(
      fc.property(
        fc.tuple(fc.nat({ max: 2 ** 45 }), fc.nat({ max: 36 ** 4 - 1 }), fc.nat({ max: 36 ** 6 - 1 })),
        fc.tuple(fc.nat({ max: 2 ** 45 }), fc.nat({ max: 36 ** 4 - 1 }), fc.nat({ max: 36 ** 6 - 1 })),
        ([t1, s1, r1], [t2, s2, r2]) => {
          const a = formatQueueId({ now: t1, seq: s1, random: r1 });
          const b = formatQueueId({ now: t2, seq: s2, random: r2 });
          if (t1 !== t2 || s1 !== s2) expect(a < b).toBe(t1 < t2 || (t1 === t2 && s1 < s2));
        },
      ),
      { numRuns: 200 },
    ));
  it('are unique when many are made in the same millisecond', () => {
    const ids = Array.from({ length: 10_000 }, () => newQueueId(1_700_000_000_000));
    expect(new Set(ids).size).toBe(10_000);
  });
});
