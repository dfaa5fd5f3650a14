import { defineConfig } from 'vitest/config';

/**
 * Three projects: `unit` (everything in-process, seconds), `browser` (the demo and trend pages in Debian's Chromium:
 * test/browser) and `integration` (against a real FHIR server that its global set-up provides:
 * test/integration/setup). `npm test` runs all three; `npx vitest --project unit` only the first.
 */
export default defineConfig({
  test: {
    environment: 'node',
    pool: 'forks',
    // Offset date-times are dated in the service's time zone (ADR 0005): the expected days are UTC days.
    env: { TZ: 'UTC' },
    testTimeout: 20_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/integration/**', 'test/browser/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/setup/global-setup.ts'],
          testTimeout: 60_000,
          // Building (first run) and starting HAPI FHIR.
          hookTimeout: 1_200_000,
        },
      },
    ],
  },
});
