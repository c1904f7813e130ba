import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TimeHeap } from '../../src/scheduler/heap.js';

describe('TimeHeap', () => {
  it('pops in time order whatever the push order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 200 }), (times) => {
        const heap = new TimeHeap<number>();
        times.forEach((t, i) => heap.push(t, i));
        const out: number[] = [];
        for (let e = heap.pop(); e; e = heap.pop()) out.push(e.at);
        expect(out).toEqual([...times].sort((a, b) => a - b));
        expect(heap.size).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});
