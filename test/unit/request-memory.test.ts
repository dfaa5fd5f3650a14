/**
 * Validating a hook request keeps nothing of it alive: after many requests a young-generation collection finds
 * almost nothing to keep. A zod superRefine on the request object once kept each parse's body alive through every
 * young collection until the next full one (17 MB survived each collection, pauses of 10-20 ms instead of under 1;
 * docs/adr/0016-no-superrefine-on-requests.md).
 */
import { GCProfiler } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { HookRequestSchema } from '../../src/cds-services/hook-request.schema.ts';
import { prefetchFor } from '../helpers/hooks.ts';
import { fiveYearHistory } from '../synthetic/population.ts';

type Spaces = { spaceName: string; spaceUsedSize: number }[];
const used = (spaces: Spaces, name: string): number =>
  spaces.find((s) => s.spaceName === name)?.spaceUsedSize ?? Number.NaN;

/** What each young-generation collection kept: left in the young generation plus moved to the old one. */
function survivedPerScavenge(run: () => void): number[] {
  const profiler = new GCProfiler();
  profiler.start();
  run();
  const stats = profiler.stop().statistics;
  return stats
    .filter((s) => s.gcType === 'Scavenge')
    .map((s) => {
      const before = s.beforeGC.heapSpaceStatistics as Spaces;
      const after = s.afterGC.heapSpaceStatistics as Spaces;
      return used(after, 'new_space') + used(after, 'old_space') - used(before, 'old_space');
    });
}

describe('hook request validation and memory', () => {
  it('leaves no request alive after it is validated', () => {
    const text = JSON.stringify({
      hook: 'patient-view',
      hookInstance: 'f5c6d7e8-1234-4abc-9def-001122334455',
      context: { patientId: 'p1', userId: 'Practitioner/dr-1' },
      prefetch: prefetchFor(fiveYearHistory()),
    });
    let valid = 0;
    // Enough requests for many young collections on the way (about 60 KiB of text and 100 KiB parsed each).
    const survived = survivedPerScavenge(() => {
      for (let i = 0; i < 3000; i++) {
        if (HookRequestSchema.safeParse(JSON.parse(text)).success) valid++;
      }
    });
    expect(valid).toBe(3000);
    expect(survived.length).toBeGreaterThan(5);
    // One request is about 0.2 MB: a collection keeps at most the one being validated, not the last hundred.
    const median = [...survived].sort((a, b) => a - b)[survived.length >> 1]!;
    expect(median).toBeLessThan(2 * 1024 * 1024);
  });
});
