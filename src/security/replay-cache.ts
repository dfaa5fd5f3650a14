/**
 * Single use of a token id (jti): the first use of an (issuer, jti) pair until the token expires wins; any later
 * use is a replay. In memory by default (one instance); in Redis when configured, so that several instances behind
 * a load balancer share it.
 */
import { Redis } from 'ioredis';

export interface ReplayCache {
  readonly kind: 'memory' | 'redis';
  /** True the first time this key is seen before `expiresAtMs`; false for a replay. */
  firstUse(key: string, expiresAtMs: number): Promise<boolean>;
  /** Resolves when the cache can answer now (readiness); rejects when it cannot. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * How long a Redis command may take before the token is refused with 503. Every authenticated call waits for one:
 * a Redis that stalls (connection open, no answers) must not hold them without limit.
 */
export const REDIS_COMMAND_TIMEOUT_MS = 1_000;

/**
 * Bounded: expired entries are dropped as new ones arrive. A token still alive is never forgotten - that would let
 * it be replayed: when `maxEntries` live tokens are held (about 300 calls a second over a token's 5 minutes), a
 * new token is refused as "cannot be checked" (503) until some expire. Such loads want the Redis cache.
 */
export function memoryReplayCache(now: () => number = Date.now, maxEntries = 100_000): ReplayCache {
  const seen = new Map<string, number>();
  /** When the whole map was last swept for expired entries (insertion order is not expiry order). */
  let sweptAt = Number.NEGATIVE_INFINITY;
  return {
    firstUse(key, expiresAtMs) {
      const t = now();
      for (const [k, expiry] of seen) {
        if (expiry > t) break;
        seen.delete(k);
      }
      const known = seen.get(key);
      if (known !== undefined && known > t) return Promise.resolve(false);
      if (seen.size >= maxEntries && t - sweptAt >= 1000) {
        sweptAt = t;
        for (const [k, expiry] of seen) if (expiry <= t) seen.delete(k);
      }
      if (seen.size >= maxEntries)
        return Promise.reject(new Error(`the replay cache holds ${maxEntries} live tokens`));
      seen.set(key, expiresAtMs);
      return Promise.resolve(true);
    },
    kind: 'memory',
    ping: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

/** SET key NX with an expiry: atomic across instances. A Redis error refuses the token (fail closed). */
export function redisReplayCache(redis: Redis, prefix = 'opioid-pain-cds:jti:'): ReplayCache {
  return {
    kind: 'redis',
    async firstUse(key, expiresAtMs) {
      const ttlMs = Math.max(1000, Math.ceil(expiresAtMs - Date.now()));
      const result = await redis.set(`${prefix}${key}`, '1', 'PX', ttlMs, 'NX');
      return result === 'OK';
    },
    async ping() {
      await redis.ping();
    },
    async close() {
      // QUIT lets the connection finish what it sent; one that is not up (or does not answer) is just dropped.
      if (redis.status !== 'ready') {
        redis.disconnect();
        return;
      }
      await redis.quit().catch(() => {
        redis.disconnect();
      });
    },
  };
}

/**
 * The replay cache on the Redis at `url`. Commands are never queued while disconnected: they fail at once, and
 * written ones give up after REDIS_COMMAND_TIMEOUT_MS, so that a call whose token cannot be checked gets its 503 with
 * Retry-After promptly. Tokens that arrive before the first connection is up get 503 too (/readyz says not ready
 * until then). The client reconnects in the background.
 */
export function redisReplayCacheAt(
  url: string,
  warn: (message: string) => void = () => undefined,
): ReplayCache {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: 2000,
    maxRetriesPerRequest: 1,
  });
  // Errors surface as refused tokens (fail closed) and in the log - once per outage, without the URL (it may hold a
  // password); they must not crash the process.
  let down = false;
  redis.on('error', (error: Error) => {
    if (down) return;
    down = true;
    warn(
      `replay cache: Redis is unavailable (${error.message.slice(0, 120)}); EHR tokens are refused until it answers`,
    );
  });
  redis.on('ready', () => {
    if (down) warn('replay cache: Redis answers again');
    down = false;
  });
  return redisReplayCache(redis);
}
