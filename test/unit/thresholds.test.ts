/**
 * Thresholds (50, 90, the trial's 15) are reached by what the service shows, not missed by floating-point noise; a
 * baseline of unknown dose is never read as 0.
 */
import { describe, expect, it } from 'vitest';
import { every, medicationRequest, mg, tab } from '../builders/fhir-builders.ts';
import { patient } from '../builders/record-builders.ts';
import { analyze, onlyOrder } from '../helpers/analyze.ts';

const codes = (r: ReturnType<typeof analyze>) => r.flags.map((f) => f.code);

describe('thresholds', () => {
  it('oxycodone 10 mg every 240 minutes is 90 MME/day, and reaches 90', () => {
    const order = medicationRequest({
      id: 'o',
      rxcui: '1049621',
      authoredOn: '2026-01-10',
      dosages: [{ dose: mg(10), timing: { repeat: { frequency: 1, period: 240, periodUnit: 'min' } } }],
    });
    const report = analyze([order]);
    expect(onlyOrder(report).explanation).toContain('6/d x 10 mg = 60 mg/d x 1.5 = 90 MME/d');
    expect(codes(report)).toEqual(expect.arrayContaining(['high-dose-50', 'high-dose-90']));
  });

  it('two orders that sum to 90 with floating-point noise reach 90', () => {
    // 3.3 + 86.7 MME: 89.99999999999999 in binary floating point.
    const oxycodone = (id: string, n: number) =>
      medicationRequest({
        id,
        rxcui: '1049621',
        authoredOn: '2026-01-10',
        dosages: [{ dose: mg(n), timing: every(1, 'd') }],
      });
    const report = analyze([oxycodone('a', 2.2), oxycodone('b', 57.8)]);
    expect(report.totalMme).toBe(90);
    expect(codes(report)).toContain('high-dose-90');
  });
});

describe('dose escalation', () => {
  it('is not detected from a baseline of unknown dose (never a rise from 0)', () => {
    const unknown = medicationRequest({
      id: 'u',
      rxcui: '897696',
      display: 'hydromorphone hydrochloride 2 MG Oral Tablet',
      authoredOn: '2025-09-20',
      status: 'completed',
      dosages: [{ timing: every(1, 'd') }],
      supply: { days: 60 },
    });
    const now = medicationRequest({
      id: 'n',
      rxcui: '1049621',
      authoredOn: '2026-01-10',
      dosages: [{ dose: tab(8), timing: every(1, 'd') }],
    });
    const report = analyze([patient('1970-01-01'), unknown, now]);
    expect(report.totalMme).toBe(60);
    expect(report.escalation).toMatchObject({ detected: false, complete: false });
    expect(codes(report)).not.toContain('dose-escalation');
  });

  it('is detected from a known baseline of 0 crossing 50', () => {
    const now = medicationRequest({
      id: 'n',
      rxcui: '1049621',
      authoredOn: '2026-01-10',
      dosages: [{ dose: tab(8), timing: every(1, 'd') }],
    });
    const report = analyze([patient('1970-01-01'), now]);
    expect(report.escalation).toMatchObject({ detected: true, fromMme: 0, complete: true });
  });
});
