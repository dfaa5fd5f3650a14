/**
 * The synthetic population the integration tests load into a FHIR server: ids unique across patients, every
 * reference resolvable on the server, each branch of the referral decision present, and each hard shape saying what
 * it claims (the analysis of its own resources).
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../helpers/analyze.ts';
import { syntheticPopulation, transactionFor } from '../synthetic/population.ts';
import { withIdentity } from '../synthetic/patient-identity.ts';

const population = syntheticPopulation();

function references(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) references(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'reference' && typeof v === 'string') out.push(v);
      else references(v, out);
    }
  }
  return out;
}

describe('synthetic population', () => {
  it('gives every resource of every patient an id no other patient uses', () => {
    const ids = population.flatMap((p) => p.resources.map((r) => `${r.resourceType}/${r.id ?? ''}`));
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of population) {
      for (const r of p.resources) expect(r.id?.startsWith(p.key)).toBe(true);
      for (const r of p.resources) expect(r.id).toMatch(/^[A-Za-z0-9\-.]{1,64}$/);
    }
  });

  it('keeps every reference inside the patient (or contained), so a server that checks references accepts it', () => {
    for (const p of population) {
      const own = new Set(p.resources.map((r) => `${r.resourceType}/${r.id ?? ''}`));
      for (const ref of references(p.resources)) {
        if (!ref.startsWith('#')) expect(own, `${p.key}: ${ref}`).toContain(ref);
      }
      const patients = p.resources.filter((r) => r.resourceType === 'Patient');
      expect(patients.map((r) => r.id)).toEqual([p.key]);
    }
  });

  it('covers every branch of the referral decision and the hard shapes', () => {
    const keys = population.map((p) => p.key);
    for (const key of [
      'branch-chronic-pain',
      'branch-not-indicated',
      'branch-misuse',
      'branch-oud-moud-first',
      'branch-self-harm',
      'branch-excluded',
      'branch-suppressed',
      'five-year-monthly',
      'weekly-seven-years',
      'tapering',
      'escalating',
      'epic-multicoded',
      'urine-three-ways',
      'no-opioids',
    ])
      expect(keys).toContain(key);
    const weekly = population.find((p) => p.key === 'weekly-seven-years')!;
    expect(weekly.medicationRequests).toBeGreaterThan(300);
    const epic = population.find((p) => p.key === 'epic-multicoded')!;
    expect(epic.resources.filter((r) => r.resourceType === 'Medication').length).toBeGreaterThan(5);
  });

  it.each(population.map((p) => [p.key, p] as const))(
    '%s: its own resources give the decision and trend it is meant to show',
    (_key, p) => {
      const report = analyze(p.resources);
      if (p.expect) {
        expect(report.referral.recommendation).toBe(p.expect.recommendation);
        expect(report.referral.suppressed).toBe(p.expect.suppressed ?? false);
      }
      if (p.trend === 'tapering') expect(report.taper.detected).toBe(true);
      if (p.trend === 'escalating') expect(report.escalation.detected).toBe(true);
      expect(report.reasons).toEqual([]);
    },
  );

  it('renames ids and references consistently and creates missing practitioners and pharmacies', () => {
    const out = withIdentity('k', [
      { resourceType: 'Patient', id: 'p1' },
      {
        resourceType: 'MedicationRequest',
        id: 'm1',
        status: 'active',
        intent: 'order',
        subject: { reference: 'Patient/p1' },
        requester: { reference: 'Practitioner/dr' },
        medicationReference: { reference: 'Medication/med' },
      },
      { resourceType: 'Medication', id: 'med' },
      { resourceType: 'Observation', id: 'o1', status: 'final', code: { text: 'x' } },
    ]);
    expect(out.map((r) => `${r.resourceType}/${r.id ?? ''}`)).toEqual([
      'Practitioner/k-dr',
      'Patient/k',
      'MedicationRequest/k-m1',
      'Medication/k-med',
      'Observation/k-o1',
    ]);
    expect(references(out)).toEqual(['Patient/k', 'Practitioner/k-dr', 'Medication/k-med', 'Patient/k']);
    expect(() => withIdentity('Bad Key', [])).toThrow(/slug/);
  });

  it('loads each patient with one transaction of PUTs under its own ids', () => {
    const p = population[0]!;
    const tx = transactionFor(p);
    expect(tx.type).toBe('transaction');
    expect(tx.entry).toHaveLength(p.resources.length);
    for (const e of tx.entry ?? [])
      expect(e.request).toEqual({ method: 'PUT', url: `${e.resource!.resourceType}/${e.resource!.id!}` });
  });
});
