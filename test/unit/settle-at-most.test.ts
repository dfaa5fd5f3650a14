/** Outbound calls with bounded concurrency: never more than the width at once, every outcome in the items' order. */
import { describe, expect, it } from 'vitest';
import { settleAtMost } from '../../src/platform/settle-at-most.ts';

describe('settleAtMost', () => {
  it('runs at most `width` at once and keeps each outcome, rejections included, in order', async () => {
    let running = 0;
    let most = 0;
    const results = await settleAtMost([5, 1, 4, 2, 3, 0, 6], 3, async (n) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, n * 3));
      running--;
      if (n === 4) throw new Error('four');
      return n * 10;
    });
    expect(most).toBe(3);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      50,
      10,
      'four',
      20,
      30,
      0,
      60,
    ]);
  });

  it('does nothing for no items', async () => {
    expect(await settleAtMost([], 8, () => Promise.resolve(1))).toEqual([]);
  });
});
