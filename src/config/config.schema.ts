/**
 * The service's configuration: one schema for the environment, parsed once at start-up, frozen, failing fast
 * with every problem listed. Defaults run the service on one machine with no external services.
 */
import { z } from 'zod';
import { DEFAULT_FACTOR_SET, FACTOR_SET_IDS } from '../domain/opioid/factor-sets.ts';

export const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  /** Loopback by default; set 0.0.0.0 in a container. */
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** EHRs may send a patient's whole medication history (CDC opioid CDS pilots): 20 MiB by default. */
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(20 * 1024 * 1024),
  DEFAULT_FACTOR_SET: z.enum(FACTOR_SET_IDS as [string, ...string[]]).default(DEFAULT_FACTOR_SET),
  /** Days of daily MME history in analyses (clinical brief 2.3: 180). */
  SERIES_WINDOW_DAYS: z.coerce.number().int().min(90).max(3650).default(180),
});

export type Env = z.infer<typeof EnvSchema>;
