import { describe, expect, it } from 'vitest';
import type { MedicationRequest } from '@medplum/fhirtypes';
import { every, medicationRequest, tab } from '../builders/fhir-builders.ts';
import { monthlyFills } from '../builders/history.ts';
import { formatDay, parseIsoDate } from '../../src/domain/time/day.ts';
import { analyze } from '../helpers/analyze.ts';

const newStart = (tabsPerDay: number) =>
  medicationRequest({
    id: 'n',
    rxcui: '1049621',
    authoredOn: '2026-01-10',
    dosages: [{ dose: tab(tabsPerDay), timing: every(1, 'd') }],
    supply: { days: 30 },
  });
const shift = (date: string, days: number) => formatDay(parseIsoDate(date.slice(0, 10))! + days);

// 2025-07-20 + 6 x 30 days = 2026-01-16: asOf 2026-01-15 is the last day of the sixth fill.
const START = '2025-07-20';
const AS_OF = '2026-01-15';

describe('daily series', () => {
  it('covers the 180-day window ending at asOf, one point a day', () => {
    const report = analyze(
      monthlyFills(
        START,
        Array.from({ length: 6 }, () => ({ tabsPerDay: 4 })),
      ),
      AS_OF,
    );
    expect(report.series).toHaveLength(180);
    expect(report.series[0]!.date).toBe('2025-07-20');
    expect(report.series.at(-1)).toEqual({ date: AS_OF, mme: 30 });
    expect(report.series.every((p) => p.mme === 30)).toBe(true);
  });

  it('follows dose changes and reports the latest one and the maximum', () => {
    const report = analyze(
      monthlyFills(START, [
        { tabsPerDay: 2 },
        { tabsPerDay: 4 },
        { tabsPerDay: 8 },
        { tabsPerDay: 6 },
        { tabsPerDay: 6 },
        { tabsPerDay: 6 },
      ]),
      AS_OF,
    );
    expect(report.max).toMatchObject({ mme: 60, date: '2025-09-18' });
    expect(report.latestChange).toEqual({ date: '2025-10-18', from: 60, to: 45, complete: true });
    expect(report.totalMme).toBe(45);
  });

  it('marks days covered by an order of unknown MME as incomplete', () => {
    const unknown = medicationRequest({
      id: 'u',
      rxcui: '1049621',
      authoredOn: '2026-01-10',
      dosages: [{ dose: tab(1) }],
      supply: { days: 10 },
    });
    const report = analyze([unknown], AS_OF);
    expect(report.series.find((p) => p.date === '2026-01-09')).toEqual({ date: '2026-01-09', mme: 0 });
    expect(report.series.find((p) => p.date === '2026-01-10')).toEqual({
      date: '2026-01-10',
      mme: 0,
      complete: false,
    });
    expect(report.averages.complete).toBe(false);
  });
});

describe('averages', () => {
  it('60- and 90-day averages of the daily MME', () => {
    // 90 days at 15, then 90 at 30: last 90 days all 30; last 60 all 30.
    const report = analyze(
      monthlyFills(
        START,
        [2, 2, 2, 4, 4, 4].map((t) => ({ tabsPerDay: t })),
      ),
      AS_OF,
    );
    expect(report.averages).toEqual({ last60Days: 30, last90Days: 30, complete: true });
    // asOf 45 days into the 30-MME half: 90-day average = (45 x 15 + 45 x 30) / 90 = 22.5
    const mid = analyze(
      monthlyFills(
        START,
        [2, 2, 2, 4, 4, 4].map((t) => ({ tabsPerDay: t })),
      ),
      '2025-12-01',
    );
    expect(mid.averages.last90Days).toBe(22.5);
  });
});

describe('long-term opioid therapy', () => {
  it('is true with opioids on >= 90 of the last 180 days', () => {
    const report = analyze(
      monthlyFills('2025-10-18', [{ tabsPerDay: 1 }, { tabsPerDay: 1 }, { tabsPerDay: 1 }]),
      AS_OF,
    );
    expect(report.longTermOpioidTherapyDetail.coveredDays).toBe(90);
    expect(report.longTermOpioidTherapy).toBe(true);
  });

  it('is false with 89 covered days', () => {
    const report = analyze(
      monthlyFills('2025-10-19', [{ tabsPerDay: 1 }, { tabsPerDay: 1 }, { tabsPerDay: 1 }]),
      AS_OF,
    );
    expect(report.longTermOpioidTherapyDetail.coveredDays).toBe(89);
    expect(report.longTermOpioidTherapy).toBe(false);
  });

  it('reports the trial rule: >= 15 MME/day for >= 90 consecutive days', () => {
    const report = analyze(
      monthlyFills(
        START,
        Array.from({ length: 6 }, () => ({ tabsPerDay: 2 })),
      ),
      AS_OF,
    );
    expect(report.longTermOpioidTherapyDetail.longestRunAtOrAboveTrialMme).toBe(180);
    expect(report.longTermOpioidTherapyDetail.rulesMet).toHaveLength(2);
  });
});

describe('long-term opioid therapy: refill gaps and orders of unknown status', () => {
  // 28-day fills collected every 30 days: two days without tablets between refills.
  const fillsEvery = (everyDays: number, supplyDays: number, tabsPerDay: number) =>
    Array.from({ length: 6 }, (_, i) =>
      medicationRequest({
        id: `g${i}`,
        rxcui: '1049621',
        authoredOn: shift(START, i * everyDays),
        status: 'completed',
        dosages: [{ dose: tab(tabsPerDay), timing: every(1, 'd') }],
        supply: { days: supplyDays },
      }),
    );

  it('a refill a few days late does not end a stretch at >= 15 MME/day (the trial rule)', () => {
    const report = analyze(fillsEvery(30, 28, 2), AS_OF);
    const detail = report.longTermOpioidTherapyDetail;
    // From 2025-07-20 to the last fill's 28th day, 2026-01-13: 178 days, gaps of 2 days bridged.
    expect(detail.longestRunAtOrAboveTrialMme).toBe(178);
    expect(detail.rulesMet).toContainEqual(expect.stringMatching(/^>= 15 MME\/day for 178 days/));
  });

  it('a gap longer than a week ends the stretch', () => {
    // 20-day fills every 30 days: 10 days without opioid between them.
    const detail = analyze(fillsEvery(30, 20, 2), AS_OF).longTermOpioidTherapyDetail;
    expect(detail.longestRunAtOrAboveTrialMme).toBe(20);
    expect(detail.rulesMet.some((r) => r.startsWith('>= 15 MME/day'))).toBe(false);
  });

  it('an order whose Medication cannot be found (maybe not an opioid) gives possible opioid days only', () => {
    const unresolved = {
      ...medicationRequest({
        id: 'u1',
        rxcui: '1049621',
        authoredOn: shift(START, 0),
        status: 'active',
        dosages: [{ dose: tab(1), timing: every(1, 'd') }],
        supply: { days: 180 },
      }),
      medicationCodeableConcept: undefined,
      medicationReference: { reference: 'Medication/not-in-the-bundle' },
    };
    const report = analyze([unresolved], AS_OF);
    expect(report.longTermOpioidTherapy).toBe(false);
    expect(report.longTermOpioidTherapyDetail).toMatchObject({
      coveredDays: 0,
      possiblyCoveredDays: 180,
      possible: true,
    });
  });

  it('orders of unknown status are possible opioid days, not certain ones: LTOT unknown, never asserted', () => {
    const orders = monthlyFills(
      START,
      Array.from({ length: 6 }, () => ({ tabsPerDay: 2 })),
    ).map((o) => ({ ...o, status: 'unknown' as const }));
    const report = analyze(orders, AS_OF);
    expect(report.longTermOpioidTherapy).toBe(false);
    expect(report.flags.map((f) => f.code)).not.toContain('long-term-opioid-therapy');
    expect(report.longTermOpioidTherapyDetail).toMatchObject({
      coveredDays: 0,
      possiblyCoveredDays: 180,
      possible: true,
      longestRunAtOrAboveTrialMme: 0,
      longestRunPossiblyAtOrAboveTrialMme: 180,
    });
    // Control: the same orders with their status known.
    const known = analyze(
      monthlyFills(
        START,
        Array.from({ length: 6 }, () => ({ tabsPerDay: 2 })),
      ),
      AS_OF,
    );
    expect(known.longTermOpioidTherapy).toBe(true);
    expect(known.longTermOpioidTherapyDetail).toMatchObject({ coveredDays: 180, possible: false });
  });
});

describe('buprenorphine: no MME, but pain patches are opioid days', () => {
  const sixMonths = (rxcui: string) =>
    monthlyFills(
      START,
      Array.from({ length: 6 }, () => ({ tabsPerDay: 1 })),
      rxcui,
    );

  it('six months of buprenorphine patches for pain (Butrans) are long-term opioid therapy', () => {
    const report = analyze(sixMonths('904870'), AS_OF);
    expect(report.totalMme).toBe(0);
    expect(report.orders.every((o) => o.status === 'excluded' || o.status === 'inactive')).toBe(true);
    expect(report.longTermOpioidTherapyDetail.coveredDays).toBe(180);
    expect(report.longTermOpioidTherapy).toBe(true);
  });

  it('patches whose order status is unknown are possible opioid days, not certain ones', () => {
    const unknown = sixMonths('904870').map((o) => ({ ...o, status: 'unknown' as const }));
    const report = analyze(unknown, AS_OF);
    expect(report.longTermOpioidTherapyDetail).toMatchObject({ coveredDays: 0, possiblyCoveredDays: 180 });
    expect(report.longTermOpioidTherapy).toBe(false);
  });

  it('six months of buprenorphine/naloxone (MOUD) are not', () => {
    const report = analyze(sixMonths('351267'), AS_OF);
    expect(report.longTermOpioidTherapyDetail.coveredDays).toBe(0);
    expect(report.longTermOpioidTherapy).toBe(false);
  });
});

describe('renewals written before the previous supply ends', () => {
  // Oxycodone 10 mg three times a day (45 MME/day), 30-day supplies, each renewal written `early` days before the
  // previous supply ends; the older orders completed, the last active.
  const renewals = (early: number) =>
    Array.from({ length: 6 }, (_, i) =>
      medicationRequest({
        id: `r${i}`,
        rxcui: '1049683',
        authoredOn: shift(START, i * (30 - early)),
        status: i === 5 ? 'active' : 'completed',
        dosages: [{ dose: tab(1), timing: every(1, 'd', 3) }],
        supply: { days: 30 },
      }),
    );
  // The last renewal starts on 2025-12-02 (3 days early): asOf 2025-12-03 lies in its overlap with r4.
  const IN_OVERLAP = '2025-12-03';

  it('counts a renewal written 3 days early after the order it renews, not twice', () => {
    const report = analyze(renewals(3), IN_OVERLAP);
    expect(report.totalMme).toBe(45);
    expect(report.max.mme).toBe(45);
    expect(report.escalation.detected).toBe(false);
    expect(report.flags.map((f) => f.code)).not.toContain('high-dose-90');
    expect(report.flags.map((f) => f.code)).not.toContain('early-refill');
    const last = report.orders.find((o) => o.id === 'r5')!;
    expect(last.status).toBe('inactive');
    expect(last.notes).toContainEqual(
      expect.stringMatching(/^renews MedicationRequest\/r4 \d+ days before its supply ends/),
    );
    // Continuous therapy at one dose: 45 on every day from the first order on.
    const since = report.series.filter((p) => p.date >= START);
    expect(since.length).toBeGreaterThan(130);
    expect(since.every((p) => p.mme === 45)).toBe(true);
  });

  it('a short renewal that ends within the supply it renews adds no day and takes none away', () => {
    const long = medicationRequest({
      id: 'long',
      rxcui: '1049683',
      authoredOn: '2025-10-01',
      status: 'completed',
      dosages: [{ dose: tab(1), timing: every(1, 'd', 3) }],
      supply: { days: 90 },
    });
    // A 7-day bridge written 10 days before the 90 days run out (2025-12-29).
    const bridge = {
      ...long,
      id: 'bridge',
      authoredOn: '2025-12-20',
      dispenseRequest: {
        expectedSupplyDuration: { value: 7, unit: 'd', system: 'http://unitsofmeasure.org', code: 'd' },
      },
    };
    const report = analyze([long, bridge], '2025-12-24');
    expect(report.totalMme).toBe(45);
    expect(report.series.filter((p) => p.date >= '2025-10-01').every((p) => p.mme === 45)).toBe(true);
    expect(report.longTermOpioidTherapyDetail.coveredDays).toBe(85);
    expect(report.orders.find((o) => o.id === 'bridge')?.notes).toContainEqual(
      expect.stringMatching(/ends within its supply/),
    );
  });

  it('sums an overlap of more than a quarter of the supply (the patient may take both): an early refill', () => {
    const report = analyze(renewals(10), shift(START, 5 * 20 + 1));
    expect(report.totalMme).toBe(90);
    expect(report.flags.map((f) => f.code)).toContain('early-refill');
  });

  it('sums overlapping orders of different doses: a second order is not a renewal of the first', () => {
    const orders = renewals(3);
    orders[5] = {
      ...orders[5]!,
      dosageInstruction: [{ timing: every(1, 'd', 2), doseAndRate: [{ doseQuantity: tab(1) }] }],
    };
    expect(analyze(orders, IN_OVERLAP).totalMme).toBe(75);
  });
});

describe('escalation and taper', () => {
  it('detects escalation: 1.5x and +20 MME/day within 90 days', () => {
    const report = analyze(
      monthlyFills(
        START,
        [4, 4, 4, 4, 8, 8].map((t) => ({ tabsPerDay: t })),
      ),
      AS_OF,
    );
    expect(report.escalation.detected).toBe(true);
    expect(report.escalation.rule).toMatch(/1.5 x/);
  });

  it('detects a new crossing of 50 MME/day as escalation', () => {
    const report = analyze(
      monthlyFills(
        START,
        [6, 6, 6, 6, 7, 7].map((t) => ({ tabsPerDay: t })),
      ),
      AS_OF,
    );
    // 45 -> 52.5: less than 1.5x, but crosses 50.
    expect(report.escalation.detected).toBe(true);
    expect(report.escalation.rule).toMatch(/crossed 50/);
  });

  it('does not call a stable or slightly higher dose escalation, nor a new start below 50', () => {
    expect(
      analyze(
        monthlyFills(
          START,
          [4, 4, 4, 5, 5, 5].map((t) => ({ tabsPerDay: t })),
        ),
        AS_OF,
      ).escalation.detected,
    ).toBe(false);
    expect(analyze([newStart(4)], AS_OF).escalation.detected).toBe(false);
  });

  it('calls a new start above 50 MME/day a crossing (brief 2.3), not a 1.5x rise', () => {
    const report = analyze([newStart(8)], AS_OF);
    expect(report.escalation).toMatchObject({ detected: true, fromMme: 0, toMme: 60 });
    expect(report.escalation.rule).toMatch(/crossed 50/);
  });

  it('is not fooled by a one-day gap between refills on the baseline day', () => {
    // 60 MME for 3 months, a 1-day gap exactly 90 days before asOf, then 180 MME: escalation.
    const fills = monthlyFills(
      START,
      [8, 8, 8, 24, 24, 24].map((t) => ({ tabsPerDay: t })),
    );
    const gapped = fills.map((f, i) => (i >= 3 ? { ...f, authoredOn: shift(f.authoredOn!, 1) } : f));
    const report = analyze(gapped, '2026-01-16');
    expect(report.series.find((p) => p.date === '2025-10-18')?.mme).toBe(0);
    expect(report.escalation).toMatchObject({ detected: true, fromMme: 60 });
    // Today's level (180) began with the first order at it, not on the baseline day.
    expect(report.escalation.levelSince).toBe(gapped[3]!.authoredOn);
    expect(report.escalation.sinceDate).toBe('2025-10-18');
  });

  it("dates today's level from its first day across a late refill, and says when a day of it is unknown", () => {
    const fills = monthlyFills(
      START,
      [8, 8, 8, 24, 24, 24].map((t) => ({ tabsPerDay: t })),
    );
    // The last refill collected two days late: a two-day gap within the level.
    const late = fills.map((f, i) => (i === 5 ? { ...f, authoredOn: shift(f.authoredOn!, 2) } : f));
    const report = analyze(late, AS_OF);
    expect(report.escalation).toMatchObject({
      detected: true,
      levelSince: fills[3]!.authoredOn,
      complete: true,
    });
    // The fifth order's dose unknown: the level may have begun before the days that are known.
    const unknown = late.map<MedicationRequest>((f, i) =>
      i === 4
        ? {
            ...f,
            dosageInstruction: [{ text: 'as directed' }],
            dispenseRequest: { expectedSupplyDuration: f.dispenseRequest?.expectedSupplyDuration },
          }
        : f,
    );
    const partly = analyze(unknown, AS_OF);
    expect(partly.escalation).toMatchObject({
      detected: true,
      levelSince: late[5]!.authoredOn,
      complete: false,
    });
  });

  it('detects a sustained taper and compares its pace with 10% per month', () => {
    const slow = analyze(
      monthlyFills(
        START,
        [10, 10, 10, 9, 9, 8].map((t) => ({ tabsPerDay: t })),
      ),
      AS_OF,
    );
    expect(slow.taper).toMatchObject({ detected: true, decreasePct: 20, fasterThanRecommended: false });
    const fast = analyze(
      monthlyFills(
        START,
        [10, 10, 10, 6, 4, 2].map((t) => ({ tabsPerDay: t })),
      ),
      AS_OF,
    );
    expect(fast.taper).toMatchObject({ detected: true, decreasePct: 80, fasterThanRecommended: true });
    const none = analyze(
      monthlyFills(
        START,
        [10, 10, 10, 10, 10, 10].map((t) => ({ tabsPerDay: t })),
      ),
      AS_OF,
    );
    expect(none.taper.detected).toBe(false);
  });

  it('judges the pace by the fastest month: one cut of 25% three weeks ago is faster than 10% per month', () => {
    // 60 MME/day for five months, then 45 from three weeks before asOf: 25% in a month, not 8.3% over three.
    const fills = [
      ...monthlyFills(
        START,
        [8, 8, 8, 8, 8].map((t) => ({ tabsPerDay: t })),
      ),
      medicationRequest({
        id: 'cut',
        rxcui: '1049621',
        authoredOn: shift(AS_OF, -21),
        dosages: [{ dose: tab(6), timing: every(1, 'd') }],
        supply: { days: 30 },
      }),
    ];
    const report = analyze(fills, AS_OF);
    expect(report.taper).toMatchObject({ detected: true, decreasePct: 25, pctPerMonth: 25 });
    expect(report.taper.fasterThanRecommended).toBe(true);
  });
});
