/**
 * The in-memory replay cache: a token is used once until it expires, and a token still alive is never forgotten to
 * make room (it could then be replayed); a full cache refuses new tokens instead, until some expire.
 */
import { describe, expect, it } from 'vitest';
import { memoryReplayCache, redisReplayCacheAt } from '../../src/security/replay-cache.ts';

describe('memoryReplayCache', () => {
  it('accepts a token once until it expires, then again', async () => {
    let t = 0;
    const cache = memoryReplayCache(() => t, 10);
    expect(await cache.firstUse('a', 1000)).toBe(true);
    expect(await cache.firstUse('a', 1000)).toBe(false);
    t = 1000;
    expect(await cache.firstUse('a', 2000)).toBe(true);
  });

  it('when full of live tokens, refuses a new one and still knows the oldest (no replay)', async () => {
    let t = 0;
    const cache = memoryReplayCache(() => t, 3);
    for (const key of ['a', 'b', 'c']) expect(await cache.firstUse(key, 10_000)).toBe(true);
    await expect(cache.firstUse('d', 10_000)).rejects.toThrow(/live tokens/);
    expect(await cache.firstUse('a', 10_000)).toBe(false);
    // Once they have expired there is room again.
    t = 10_000;
    expect(await cache.firstUse('d', 20_000)).toBe(true);
  });

  it('makes room from expired tokens behind a long-lived one', async () => {
    let t = 0;
    const cache = memoryReplayCache(() => t, 3);
    expect(await cache.firstUse('long', 60_000)).toBe(true);
    expect(await cache.firstUse('short-1', 1_000)).toBe(true);
    expect(await cache.firstUse('short-2', 1_000)).toBe(true);
    t = 2_000;
    expect(await cache.firstUse('new', 60_000)).toBe(true);
    expect(await cache.firstUse('long', 60_000)).toBe(false);
  });
});

describe('redisReplayCacheAt', () => {
  it('says once that Redis cannot be reached (without its URL), and refuses tokens', async () => {
    const warnings: string[] = [];
    const cache = redisReplayCacheAt('redis://:secret@127.0.0.1:1', (m) => warnings.push(m));
    try {
      await expect(cache.firstUse('iss|jti', Date.now() + 60_000)).rejects.toThrow();
      await new Promise((r) => setTimeout(r, 300));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/^replay cache: Redis is unavailable .*EHR tokens are refused/);
      expect(warnings[0]).not.toContain('secret');
    } finally {
      await cache.close();
    }
  });
});
