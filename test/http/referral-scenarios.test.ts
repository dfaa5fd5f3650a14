/**
 * Every synthetic patient through POST /analysis: the recommendation, the exact set of flags, the exclusions and
 * the safety actions must be those the clinical brief's rules give.
 */
import { describe, expect, it } from 'vitest';
import { bundle } from '../builders/fhir-builders.ts';
import { AS_OF, SCENARIOS } from '../fixtures/synthetic-patients.ts';
import { build } from '../helpers/build-app.ts';

describe('referral decision for each synthetic patient (POST /analysis)', () => {
  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', async (_, scenario) => {
    const res = await build().inject({
      method: 'POST',
      url: '/analysis',
      payload: { bundle: bundle(...scenario.resources), asOf: AS_OF },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    const { expect: want } = scenario;
    expect(body.referral.recommendation).toBe(want.recommendation);
    expect(body.flags.map((f: { code: string }) => f.code).sort()).toEqual([...want.flags].sort());
    expect(body.exclusions).toEqual(want.exclusions ?? []);
    if (want.safetyActions) expect(body.referral.safetyActions).toEqual(want.safetyActions);
    if (want.matchesTrialPopulation !== undefined)
      expect(body.referral.matchesTrialPopulation).toBe(want.matchesTrialPopulation);
    if (want.suppressed !== undefined) expect(body.referral.suppressed).toBe(want.suppressed);
    if (want.branch) expect(body.referral.branch).toBe(want.branch);
    // Every flag explains itself.
    for (const flag of body.flags) {
      expect(flag.rule).toEqual(expect.any(String));
      expect(flag.source).toEqual(expect.any(String));
      expect(flag.evidence.length).toBeGreaterThan(0);
    }
    expect(body.referral.rationale.length).toBeGreaterThan(0);
  });
});
