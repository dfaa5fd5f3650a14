/**
 * Single use of a token id (jti): the first use of an (issuer, jti) pair until the token expires wins; any later
 * use is a replay. In memory by default (one instance); in Redis when configured, so that several instances behind
 * a load balancer share it.
 */
import type { Redis } from 'ioredis';

export interface ReplayCache {
  /** True the first time this key is seen before `expiresAtMs`; false for a replay. */
  firstUse(key: string, expiresAtMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Bounded: expired entries are dropped as new ones arrive; beyond `maxEntries`, the oldest go first. */
export function memoryReplayCache(now: () => number = Date.now, maxEntries = 100_000): ReplayCache {
  const seen = new Map<string, number>();
  return {
    firstUse(key, expiresAtMs) {
      const t = now();
      for (const [k, expiry] of seen) {
        if (expiry > t && seen.size < maxEntries) break;
        seen.delete(k);
      }
      const known = seen.get(key);
      if (known !== undefined && known > t) return Promise.resolve(false);
      seen.set(key, expiresAtMs);
      return Promise.resolve(true);
    },
    close: () => Promise.resolve(),
  };
}

/** SET key NX with an expiry: atomic across instances. A Redis error refuses the token (fail closed). */
export function redisReplayCache(redis: Redis, prefix = 'opioid-pain-cds:jti:'): ReplayCache {
  return {
    async firstUse(key, expiresAtMs) {
      const ttlMs = Math.max(1000, Math.ceil(expiresAtMs - Date.now()));
      const result = await redis.set(`${prefix}${key}`, '1', 'PX', ttlMs, 'NX');
      return result === 'OK';
    },
    async close() {
      await redis.quit();
    },
  };
}
