/**
 * Values that are numbers but no dose (1e-308 mg, a period of 1e308 days) or list entries that name nothing
 * (dayOfWeek [null]) make an order's MME unknown, with the reason - never a dose counted at 0 or divided by 7.
 */
import type { MedicationRequest } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { every, medicationRequest, tab } from '../builders/fhir-builders.ts';
import { patient, phq9Item9 } from '../builders/record-builders.ts';
import { analyze, onlyOrder } from '../helpers/analyze.ts';

/** Oxycodone 5 mg, 1 tablet 4 times a day: 30 MME/day. */
const oxy = (change: (o: MedicationRequest) => void = () => undefined): MedicationRequest => {
  const order = medicationRequest({
    id: 'o',
    rxcui: '1049621',
    authoredOn: '2026-01-10',
    dosages: [{ dose: tab(1), timing: every(1, 'd', 4) }],
  });
  change(order);
  return order;
};
const repeat = (o: MedicationRequest) => o.dosageInstruction![0]!.timing!.repeat!;

describe('numbers that are no dose', () => {
  it.each<[string, (o: MedicationRequest) => void]>([
    ['a period of 1e308 days', (o) => Object.assign(repeat(o), { period: 1e308 })],
    ['a frequency of 1e-308', (o) => Object.assign(repeat(o), { frequency: 1e-308 })],
    [
      'a dose of 1e-308 tablets',
      (o) => (o.dosageInstruction![0]!.doseAndRate![0]!.doseQuantity!.value = 1e-308),
    ],
    [
      'a maximum of 6 tablets per 1e308 years',
      (o) =>
        (o.dosageInstruction![0]!.maxDosePerPeriod = {
          numerator: { value: 6, unit: 'tablet' },
          denominator: { value: 1e308, code: 'a' },
        }),
    ],
  ])('%s: unknown, not counted at 0', (_, change) => {
    const report = analyze([oxy(change)]);
    expect(onlyOrder(report).mme).toBeNull();
    expect(onlyOrder(report).status).not.toBe('counted');
    expect(report.complete).toBe(false);
  });

  it('an order of the usual numbers still counts 30 MME/day', () => {
    expect(onlyOrder(analyze([oxy()])).mme).toBe(30);
  });
});

describe('timing lists', () => {
  it.each<[string, Record<string, unknown>]>([
    ['dayOfWeek [null]', { dayOfWeek: [null] }],
    ['dayOfWeek ["funday"]', { dayOfWeek: ['funday'] }],
    ['dayOfWeek [{}]', { dayOfWeek: [{}] }],
    ['timeOfDay [null x 8]', { timeOfDay: Array.from({ length: 8 }, () => null) }],
    ['when [5]', { when: [5] }],
  ])('%s is unreadable: unknown with the reason', (_, change) => {
    const report = analyze([oxy((o) => Object.assign(repeat(o), change))]);
    expect(onlyOrder(report).mme).toBeNull();
    expect(onlyOrder(report).reasons.join(' ')).toMatch(/is not a (dayOfWeek|timeOfDay|when) value/);
  });

  it('dayOfWeek ["mon", "Mon", "MON"] is one day a week', () => {
    const report = analyze([oxy((o) => Object.assign(repeat(o), { dayOfWeek: ['mon', 'Mon', 'MON'] }))]);
    expect(onlyOrder(report).mme).toBe(4.3);
  });

  it('timeOfDay ["8:00", "20:00:00"] is read as two times a day', () => {
    const report = analyze([
      oxy((o) => {
        o.dosageInstruction![0]!.timing = {
          repeat: { frequency: 1, period: 1, periodUnit: 'd', timeOfDay: ['8:00', '20:00:00'] },
        };
      }),
    ]);
    expect(onlyOrder(report).mme).toBe(15);
  });
});

describe('PHQ-9 item 9 answers out of 0-3', () => {
  it.each([-1, 7, 1.5])('%s is reported as unread, never as "no thoughts of self-harm"', (score) => {
    const report = analyze([patient('1970-01-01'), phq9Item9('phq', score, '2026-01-10')]);
    expect(report.flags.map((f) => f.code)).not.toContain('self-harm-risk');
    expect(report.unreadResults.join(' ')).toMatch(/PHQ-9 item 9 .* no answer that can be read/);
  });
});
