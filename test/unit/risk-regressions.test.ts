/**
 * Review findings on the risk rules: each input once raised or missed a flag, or took the wrong branch.
 */
import type { MedicationRequest, Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { bundle, every, medicationRequest, mg, qty, tab } from '../builders/fhir-builders.ts';
import {
  ASSESSMENT,
  cc,
  condition,
  dispense,
  encounter,
  ICD10,
  LOINC,
  LUNG_CANCER,
  OUD_SEVERE,
  PROGRAM,
  referral,
  SNOMED,
  UDS,
  urineScreen,
} from '../builders/record-builders.ts';
import { AS_OF, syntheticPatient } from '../fixtures/synthetic-patients.ts';
import { formatDay, parseIsoDate } from '../../src/domain/time/day.ts';
import { analyze } from '../helpers/analyze.ts';
import { flagLines } from '../../src/cards/explain.ts';
import type { Flag } from '../../src/domain/risk/flag.types.ts';
import { analyzeBundle, analyzeResources } from '../../src/analysis/analyze-bundle.ts';
import type { Json } from '../../src/fhir/json-read.ts';

const run = (resources: Resource[]) => analyze(resources, AS_OF);
const codes = (resources: Resource[]) => run(resources).flags.map((f) => f.code);

describe('safety signals', () => {
  it.each(['Nearly every day', '1 - Several days', 'More than half the days'])(
    'reads a PHQ-9 item 9 answer written as "%s"',
    (text) => {
      const phq = {
        resourceType: 'Observation',
        id: 'phq',
        status: 'final',
        code: cc(LOINC, '44260-8'),
        effectiveDateTime: '2026-01-10',
        valueString: text,
      } as Resource;
      const report = run(syntheticPatient({ extra: [phq] }));
      expect(report.flags.map((f) => f.code)).toContain('self-harm-risk');
      expect(report.referral.safetyActions).toContain('behavioral-health-safety');
    },
  );

  it.each(['T40.411A', 'T40.421A', 'T40.491D', 'T40.4X2A'])(
    'recognises the opioid overdose code %s',
    (code) => {
      expect(
        codes(
          syntheticPatient({
            extra: [condition({ id: 'od', code: cc(ICD10, code), onset: '2024-01-01', status: 'resolved' })],
          }),
        ),
      ).toContain('overdose-history');
    },
  );

  it('reads a SNOMED opioid poisoning as overdose history, not as a use disorder', () => {
    const od = condition({
      id: 'od',
      code: cc(SNOMED, '242253008', 'Overdose of opiate'),
      onset: '2025-06-01',
    });
    const report = run(syntheticPatient({ extra: [od] }));
    expect(report.flags.map((f) => f.code)).toEqual(
      expect.arrayContaining(['overdose-history', 'naloxone-missing']),
    );
    expect(report.flags.map((f) => f.code)).not.toContain('oud-diagnosis');
    expect(report.referral.recommendation).toBe('MBT_OR_CBT');
  });

  it.each([
    ['completed', false],
    ['in-progress', false],
    ['declined', true],
    ['cancelled', true],
    ['stopped', true],
    ['preparation', true],
    ['entered-in-error', true],
  ] as const)('a naloxone dispense with status %s: naloxone-missing %s', (status, missing) => {
    const od = condition({ id: 'od', code: cc(ICD10, 'T40.2X1A'), onset: '2025-06-01', status: 'resolved' });
    const narcan = { ...dispense('nal', '1725064', '2025-12-01', 'Organization/ph1'), status } as Resource;
    const report = run(syntheticPatient({ extra: [od, narcan] }));
    expect(report.flags.map((f) => f.code).includes('naloxone-missing')).toBe(missing);
    expect(report.referral.safetyActions.includes('naloxone')).toBe(missing);
  });

  it('a future-dated overdose is not history', () => {
    expect(
      codes(
        syntheticPatient({
          extra: [condition({ id: 'od', code: cc(ICD10, 'T40.1X1A'), onset: '2026-06-01' })],
        }),
      ),
    ).not.toContain('overdose-history');
  });

  it.each([
    ['2015', true],
    ['2015-06', true],
    ['2008', true],
    ['1990', false],
  ])('a partial birth date %s excludes a (possible) child: %s', (birthDate, excluded) => {
    expect(run(syntheticPatient({ birthDate })).exclusions.includes('excluded-age')).toBe(excluded);
  });
});

describe('results the rules cannot read', () => {
  const observation = (id: string, code: Record<string, unknown>, value: Record<string, unknown>): Resource =>
    ({
      resourceType: 'Observation',
      id,
      status: 'final',
      subject: { reference: 'Patient/p1' },
      effectiveDateTime: '2026-01-05',
      ...code,
      ...value,
    }) as Resource;
  const COMM = { code: cc(ASSESSMENT, 'comm-total', 'COMM total score') };
  const ITEM9 = { code: cc(LOINC, '44260-8') };
  const OXY_SCREEN = { code: cc(LOINC, UDS.oxycodone[0], UDS.oxycodone[1]) };

  it('says a COMM total that is not a number, or outside 0-68, is unknown; never reads it as a negative screen', () => {
    const report = run(
      syntheticPatient({
        extra: [
          observation('comm-text', COMM, { valueInteger: '11' }),
          observation('comm-high', COMM, { valueInteger: 90 }),
        ],
      }),
    );
    expect(report.flags.map((f) => f.code)).not.toContain('comm-positive');
    expect(report.unreadResults).toEqual([
      'COMM result of 2026-01-05 (Observation/comm-text) has no numeric total: whether it is positive is unknown',
      'COMM result of 2026-01-05 (Observation/comm-high) has a total of 90, outside 0-68: whether it is positive is unknown',
    ]);
    // A readable negative screen is simply negative.
    expect(
      run(syntheticPatient({ extra: [observation('c', COMM, { valueInteger: 4 })] })).unreadResults,
    ).toEqual([]);
  });

  it('says an unanswered PHQ-9 item 9 and a urine screen without a readable result are unknown', () => {
    const report = run(
      syntheticPatient({
        extra: [
          observation('phq', ITEM9, {}),
          observation('uds', OXY_SCREEN, { valueQuantity: { value: 120, unit: 'ng/mL' } }),
        ],
      }),
    );
    expect(report.flags.map((f) => f.code)).not.toContain('self-harm-risk');
    // The self-harm item first (the five-line card note must not push it out), then the screens, one line a day.
    expect(report.unreadResults).toEqual([
      'PHQ-9 item 9 of 2026-01-05 (Observation/phq) has no answer that can be read: whether it reports thoughts of self-harm is unknown',
      'oxyCODONE [Presence] in Urine by Screen method of 2026-01-05 (Observation/uds) has no result read as positive or negative: whether it is unexpected is unknown',
    ]);
    const panel = run(
      syntheticPatient({
        extra: ['a', 'b', 'c', 'd', 'e'].map((id) =>
          observation(`uds-${id}`, OXY_SCREEN, { valueQuantity: { value: 120, unit: 'ng/mL' } }),
        ),
      }),
    );
    expect(panel.unreadResults).toEqual([
      '5 urine drug screens of 2026-01-05 (Observation/uds-a, Observation/uds-b, Observation/uds-c and 2 more) have no result read as positive or negative: whether they are unexpected is unknown',
    ]);
  });
});

describe('results not dated to the day', () => {
  // AS_OF 2026-01-15: the self-harm window is 90 days, COMM and urine screens 12 months.
  const dated = (id: string, code: object, date: string | undefined, value: object): Resource =>
    ({
      resourceType: 'Observation',
      id,
      status: 'final',
      subject: { reference: 'Patient/p1' },
      ...(date === undefined ? {} : { effectiveDateTime: date }),
      ...code,
      ...value,
    }) as Resource;
  const ITEM9 = { code: cc(LOINC, '44260-8') };
  const COMM = { code: cc(ASSESSMENT, 'comm-total', 'COMM total score') };

  it('counts a partial date whose every day lies in the window, and ignores one whose none does', () => {
    const report = run(syntheticPatient({ extra: [dated('phq', ITEM9, '2025-12', { valueInteger: 3 })] }));
    expect(report.flags.find((f) => f.code === 'self-harm-risk')?.evidence).toEqual([
      expect.objectContaining({
        reference: 'Observation/phq',
        detail: 'PHQ-9 item 9 answered 3 (thoughts of self-harm)',
      }),
    ]);
    const old = run(syntheticPatient({ extra: [dated('phq', ITEM9, '2024', { valueInteger: 3 })] }));
    expect([old.flags.map((f) => f.code), old.unreadResults]).toEqual([['long-term-opioid-therapy'], []]);
  });

  it('says a self-harm answer or a positive COMM that may be recent but is undated is unknown, never absent', () => {
    const report = run(
      syntheticPatient({
        extra: [
          dated('phq-none', ITEM9, undefined, { valueInteger: 2 }),
          dated('phq-year', ITEM9, '2025', { valueInteger: 1 }),
          dated('phq-zero', ITEM9, undefined, { valueInteger: 0 }),
          dated('comm', COMM, '2025', { valueInteger: 20 }),
          dated('comm-low', COMM, undefined, { valueInteger: 3 }),
        ],
      }),
    );
    expect(report.flags.map((f) => f.code)).toEqual(['long-term-opioid-therapy']);
    expect(report.referral.recommendation).toBe('MBT_OR_CBT');
    expect(report.unreadResults).toEqual([
      'PHQ-9 item 9 answered 2 (Observation/phq-none) is undated: whether it reports thoughts of self-harm in the last 90 days is unknown',
      'PHQ-9 item 9 answered 1 (Observation/phq-year) is dated only "2025": whether it reports thoughts of self-harm in the last 90 days is unknown',
      'COMM total 20 (Observation/comm) is dated only "2025": whether it falls in the last 365 days is unknown',
    ]);
  });

  it('reads a partial date of the current month over its days up to the as-of date', () => {
    const report = run(syntheticPatient({ extra: [dated('phq', ITEM9, '2026-01', { valueInteger: 2 })] }));
    expect(report.flags.map((f) => f.code)).toContain('self-harm-risk');
    expect(report.unreadResults).toEqual([]);
  });

  it('counts a positive test for a substance no prescription explains by its partial date alone', () => {
    const heroin = (id: string, date: string, coded: string) =>
      dated(id, { code: cc(LOINC, UDS.heroin[0], UDS.heroin[1]) }, date, {
        valueCodeableConcept: cc(SNOMED, coded),
      });
    const report = run(
      syntheticPatient({ extra: [heroin('h', '2025-11', '10828004'), heroin('n', '2025', '260385009')] }),
    );
    expect(report.flags.find((f) => f.code === 'uds-unexpected')?.evidence).toEqual([
      expect.objectContaining({ reference: 'Observation/h', date: '2025-11' }),
    ]);
    // The negative one, whenever it was taken, is what is expected.
    expect(report.unreadResults).toEqual([]);
  });

  it('says urine screens not dated to the day are unknown, in one line', () => {
    const screen = (id: string, date: string | undefined) =>
      dated(id, { code: cc(LOINC, UDS.oxycodone[0], UDS.oxycodone[1]) }, date, {
        valueCodeableConcept: cc(SNOMED, '260385009', 'Negative'),
      });
    const report = run(syntheticPatient({ extra: [screen('u1', '2025-11'), screen('u2', undefined)] }));
    expect(report.flags.map((f) => f.code)).not.toContain('uds-unexpected');
    expect(report.unreadResults).toEqual([
      '2 urine drug screens (Observation/u1, Observation/u2) are not dated to the day: whether they are unexpected is unknown',
    ]);
  });
});

describe('the trial population with doses unknown', () => {
  it('a run of >= 15 MME/day broken only by orders of unknown dose leaves the criterion unknown, not unmet', () => {
    // The second and fifth of six monthly orders without a dose or quantity: their days are of unknown MME.
    const unknownDoses = syntheticPatient({
      adjust: (orders) => {
        for (const o of [orders[1], orders[4]]) {
          if (!o) continue;
          delete o.dosageInstruction;
          if (o.dispenseRequest) delete o.dispenseRequest.quantity;
        }
      },
    });
    const report = run(unknownDoses);
    expect(report.longTermOpioidTherapyDetail.longestRunAtOrAboveTrialMme).toBeLessThan(90);
    expect(report.referral.recommendation).toBe('MBT_OR_CBT');
    expect(report.referral.matchesTrialPopulation).toBeNull();
    // Control: the same history with every dose known matches.
    expect(run(syntheticPatient()).referral.matchesTrialPopulation).toBe(true);
  });
});

describe('an age that cannot be right', () => {
  it.each([
    ['1850-01-01', 'is more than 120 years before 2026-01-15'],
    ['2026-06-01', 'lies after 2026-01-15'],
  ])('a birth date of %s leaves the age unknown, and says so', (birthDate, why) => {
    const report = run(syntheticPatient({ birthDate }));
    expect(report.exclusions).toEqual([]);
    expect(report.referral.recommendation).toBe('MBT_OR_CBT');
    expect(report.referral.matchesTrialPopulation).toBeNull();
    expect(report.unreadResults).toEqual([
      `the patient's birth date ${why}: the age is unknown (the age exclusion and the trials' age criteria are not assessed)`,
    ]);
  });

  it('no birth date, or no Patient at all, leaves the age unknown, and says so: never read as an adult', () => {
    const undated = syntheticPatient().map((r) =>
      r.resourceType === 'Patient' ? { ...r, birthDate: undefined } : r,
    );
    const noPatient = syntheticPatient().filter((r) => r.resourceType !== 'Patient');
    for (const [resources, why] of [
      [undated, 'the patient has no birth date that can be read'],
      [noPatient, 'the record holds no Patient'],
    ] as const) {
      const report = run([...resources]);
      expect(report.referral.matchesTrialPopulation).toBeNull();
      expect(report.unreadResults).toEqual([
        `${why}: the age is unknown (the age exclusion and the trials' age criteria are not assessed)`,
      ]);
    }
  });

  it('a birth date 120 years back is still an age, and a partial one is read over the days it allows', () => {
    expect(run(syntheticPatient({ birthDate: '1906-01-15' })).unreadResults).toEqual([]);
    // "1905": 120 or 121 years old - possibly 120.
    expect(run(syntheticPatient({ birthDate: '1905' })).unreadResults).toEqual([]);
    // Born this year (partial date): possibly days old, never "after" the as-of date - a child, excluded.
    for (const birthDate of ['2026', '2026-01']) {
      const report = run(syntheticPatient({ birthDate }));
      expect([birthDate, report.exclusions, report.unreadResults]).toEqual([birthDate, ['excluded-age'], []]);
    }
  });
});

describe('MOUD', () => {
  const severe = condition({ id: 'oud', code: OUD_SEVERE, onset: '2025-01-01' });
  const naltrexone = (extra: Partial<MedicationRequest>): MedicationRequest => ({
    ...medicationRequest({
      id: 'ntx',
      authoredOn: '2026-01-05',
      dosages: [{ dose: tab(1), timing: every(28, 'd') }],
      supply: { days: 28 },
    }),
    ...extra,
  });

  it.each([
    ['text "Vivitrol 380 mg"', naltrexone({ medicationCodeableConcept: { text: 'Vivitrol 380 mg' } })],
    [
      'ingredient RxCUI 7243',
      naltrexone({
        medicationCodeableConcept: {
          coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '7243' }],
        },
      }),
    ],
  ])('naltrexone named by %s is MOUD', (_, order) => {
    expect(run(syntheticPatient({ extra: [severe, order] })).referral.safetyActions).not.toContain(
      'moud-evaluation',
    );
  });

  it('buprenorphine dispensed (not ordered) 10 days ago is MOUD', () => {
    const bup = {
      ...dispense('d', '1010606', '2026-01-05', 'Organization/ph'),
      daysSupply: { value: 30, unit: 'd' },
    } as Resource;
    expect(run(syntheticPatient({ extra: [severe, bup] })).referral.safetyActions).not.toContain(
      'moud-evaluation',
    );
  });

  it.each(['2639027', '2639021', '2639044'])(
    'extended-release buprenorphine injection (Brixadi) coded by RxCUI %s alone is MOUD',
    (rxcui) => {
      const brixadi = medicationRequest({
        id: 'brixadi',
        rxcui,
        authoredOn: '2026-01-08',
        dosages: [{ dose: qty(1, 'mL'), timing: every(1, 'wk') }],
        supply: { days: 28 },
      });
      expect(run(syntheticPatient({ extra: [severe, brixadi] })).referral.safetyActions).not.toContain(
        'moud-evaluation',
      );
    },
  );

  it.each([
    ['Butrans 10 mcg/h patch', '904874', false],
    ['Belbuca 0.3 mg buccal film', '1716067', false],
    ['Buprenex 0.3 mg/mL injection', '205533', false],
    ['buprenorphine 0.2 mg sublingual tablet', '246474', false],
    ['Suboxone 8/2 mg film', '1010606', true],
    ['buprenorphine 8 mg sublingual tablet', '351265', true],
    ['Zubsolv 1.4/0.36 mg tablet', '1431083', true],
    ['Bunavail 2.1/0.3 mg buccal film', '1542396', true],
    ['Brixadi weekly injection', '2639027', true],
  ])('buprenorphine as %s (RxCUI %s): MOUD %s', (_, rxcui, moud) => {
    const order = medicationRequest({
      id: 'bup',
      rxcui,
      authoredOn: '2026-01-08',
      dosages: [{ dose: tab(1), timing: every(1, 'd') }],
      supply: { days: 28 },
    });
    const actions = run(syntheticPatient({ extra: [severe, order] })).referral.safetyActions;
    expect(actions.includes('moud-evaluation')).toBe(!moud);
  });

  it('thoughts of self-harm do not drop the MOUD evaluation, only the group programme', () => {
    const phq = {
      resourceType: 'Observation',
      id: 'phq9',
      status: 'final',
      code: cc(LOINC, '44260-8'),
      effectiveDateTime: '2026-01-10',
      valueInteger: 2,
    } as Resource;
    const referral = run(syntheticPatient({ extra: [severe, phq] })).referral;
    expect(referral).toMatchObject({ recommendation: 'NONE', branch: 'self-harm' });
    expect(referral.safetyActions.slice(0, 2)).toEqual(['behavioral-health-safety', 'moud-evaluation']);
    expect(referral.rationale.join(' ')).toMatch(/evaluate for MOUD first/);
  });

  it('buprenorphine that ran out 20 days ago is not MOUD now', () => {
    const stopped = medicationRequest({
      id: 'bup',
      rxcui: '1010606',
      authoredOn: '2025-11-27',
      status: 'completed',
      dosages: [{ dose: tab(1), timing: every(1, 'd') }],
      supply: { days: 30 },
    });
    expect(run(syntheticPatient({ extra: [severe, stopped] })).referral.safetyActions).toContain(
      'moud-evaluation',
    );
  });
});

describe('false misuse signals', () => {
  it('an extended-release and an immediate-release order renewed together are not early refills', () => {
    const report = run(
      syntheticPatient({
        adjust: (orders) => {
          const er = orders.map((o, i) => ({
            ...o,
            id: `er${i}`,
            medicationCodeableConcept: {
              coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '1049593' }],
            },
          }));
          orders.push(...er);
        },
      }),
    );
    expect(report.flags.map((f) => f.code)).not.toContain('early-refill');
  });

  it('two strengths of one opioid renewed together each month are one regimen, not early refills', () => {
    // Oxycodone 5 mg and 10 mg tablets, both written on the same day every month.
    const twoStrengths = (adjust?: (orders: MedicationRequest[]) => void) =>
      run(
        syntheticPatient({
          adjust: (orders) => {
            const ten = orders.map((o, i) => ({
              ...o,
              id: `ten${i}`,
              medicationCodeableConcept: {
                coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '1049683' }],
              },
            }));
            orders.push(...ten);
            adjust?.(orders);
          },
        }),
      );
    const together = twoStrengths();
    expect(together.flags.map((f) => f.code)).not.toContain('early-refill');
    expect(together.referral.recommendation).toBe('MBT_OR_CBT');
    // Control: the last renewal of the 10 mg tablets written 12 days early is an early refill.
    const early = twoStrengths((orders) => {
      const last = orders.find((o) => o.id === 'ten5')!;
      last.authoredOn = formatDay(parseIsoDate(last.authoredOn!.slice(0, 10))! - 12);
    });
    const flag = early.flags.find((f) => f.code === 'early-refill');
    expect(flag?.evidence.map((e) => e.reference)).toEqual(['MedicationRequest/ten5']);
  });

  it('methadone on record only as dispenses (an opioid treatment programme) explains a positive methadone screen', () => {
    const screen = urineScreen(
      'u-mtd',
      '19550-3',
      'Methadone [Presence] in Urine by Screen method',
      '2026-01-10',
      { coded: 'positive' },
    );
    const methadone = (id: string, date: string) => ({
      ...dispense(id, '864769', date, 'Organization/otp'),
      daysSupply: { value: 7, unit: 'days', system: 'http://unitsofmeasure.org', code: 'd' },
    });
    const dispensed = run(
      syntheticPatient({ extra: [methadone('d1', '2026-01-02'), methadone('d2', '2026-01-09'), screen] }),
    );
    expect(dispensed.flags.map((f) => f.code)).not.toContain('uds-unexpected');
    // Control: without the dispenses, the positive methadone screen is unexpected.
    const alone = run(syntheticPatient({ extra: [screen] }));
    expect(alone.flags.find((f) => f.code === 'uds-unexpected')?.evidence[0]?.detail).toMatch(
      /positive for methadone, not prescribed/,
    );
  });

  it('the same product ordered twice on one day is an early refill, not a regimen of two strengths', () => {
    const report = run(
      syntheticPatient({
        adjust: (orders) => {
          orders.push({ ...orders.at(-1)!, id: 'duplicate', requester: { reference: 'Practitioner/other' } });
        },
      }),
    );
    const flag = report.flags.find((f) => f.code === 'early-refill');
    expect(flag?.evidence.map((e) => e.reference)).toEqual(['MedicationRequest/duplicate']);
  });

  it('a taper written while supply remains is not an early refill; the same or a higher dose is', () => {
    // The last 30-day order is followed 10 days later by an order of the same tablets: 20 of 30 days left.
    const early = (tabsPerDay: number) =>
      run(
        syntheticPatient({
          adjust: (orders) => {
            const last = orders.at(-1)!;
            orders.push(
              medicationRequest({
                id: 'changed',
                rxcui: '1049621',
                authoredOn: formatDay(parseIsoDate(last.authoredOn!)! + 10),
                status: 'active',
                dosages: [{ dose: tab(tabsPerDay), timing: every(1, 'd') }],
                supply: { quantity: tab(tabsPerDay * 30), days: 30 },
              }),
            );
          },
        }),
      ).flags.find((f) => f.code === 'early-refill');
    expect(early(3)).toBeUndefined();
    expect(early(4)?.evidence.map((e) => e.reference)).toEqual(['MedicationRequest/changed']);
    expect(early(6)?.evidence.map((e) => e.reference)).toEqual(['MedicationRequest/changed']);
    // 3 tablets of 5 mg with 2 of 10 mg started together: a regimen of 52.5 MME/day, more than the 30 before,
    // although each of its orders is less: not a taper.
    const split = run(
      syntheticPatient({
        adjust: (orders) => {
          const start = formatDay(parseIsoDate(orders.at(-1)!.authoredOn!)! + 10);
          const order = (id: string, rxcui: string, tablets: number) =>
            medicationRequest({
              id,
              rxcui,
              authoredOn: start,
              status: 'active',
              dosages: [{ dose: tab(tablets), timing: every(1, 'd') }],
              supply: { quantity: tab(tablets * 30), days: 30 },
            });
          orders.push(order('five', '1049621', 3), order('ten', '1049683', 2));
        },
      }),
    ).flags.find((f) => f.code === 'early-refill');
    expect(split?.evidence.map((e) => e.reference)).toContain('MedicationRequest/five');
  });

  it('a negative screen after the supply ran out is not unexpected', () => {
    const report = run(
      syntheticPatient({
        fills: [...Array.from({ length: 5 }, () => ({ tabsPerDay: 4 })), { tabsPerDay: 4, days: 20 }],
        extra: [urineScreen('u', UDS.oxycodone[0], UDS.oxycodone[1], '2026-01-11', { interpretation: 'N' })],
      }),
    );
    expect(report.flags.map((f) => f.code)).not.toContain('uds-unexpected');
  });

  it('a prescriber referenced as Practitioner/x, by urn:uuid and by absolute URL is one prescriber', () => {
    const practitioners: Resource[] = ['dr1', 'dr2'].map((id) => ({ resourceType: 'Practitioner', id }));
    const ways = (id: string) => [
      `Practitioner/${id}`,
      `urn:uuid:Practitioner-${id}`,
      `https://ehr.example.org/fhir/Practitioner/${id}`,
      `https://ehr.example.org/fhir/Practitioner/${id}/_history/3`,
    ];
    const written = [...ways('dr1'), ...ways('dr2')];
    const report = run(
      syntheticPatient({
        fills: Array.from({ length: 8 }, () => ({ tabsPerDay: 4, days: 22 })),
        adjust: (orders) => {
          orders.forEach((o, i) => (o.requester = { reference: written[i] }));
        },
        extra: practitioners,
      }),
    );
    expect(report.flags.map((f) => f.code)).not.toContain('multiple-prescribers');
    // Control: four practitioners are four prescribers.
    const four = run(
      syntheticPatient({
        fills: Array.from({ length: 8 }, () => ({ tabsPerDay: 4, days: 22 })),
        adjust: (orders) => {
          orders.forEach((o, i) => (o.requester = { reference: `Practitioner/dr${i % 4}` }));
        },
      }),
    );
    expect(four.flags.map((f) => f.code)).toContain('multiple-prescribers');
  });

  it('"Practitioner/x" of four servers is four prescribers when the record says which server it comes from', () => {
    // The hooks know their fhirServer: a reference to another server (a record merged from several EHRs) is someone
    // else, whatever its id; the server's own absolute URLs are the same "Practitioner/x".
    const written = [
      'Practitioner/dr1',
      'https://ehr.example.org/fhir/Practitioner/dr1',
      'https://ehr.example.org/fhir/Practitioner/dr1/_history/2',
      'https://clinic-b.example.org/fhir/Practitioner/dr1',
      'https://clinic-c.example.org/fhir/Practitioner/dr1',
      'https://clinic-d.example.org/fhir/Practitioner/dr1',
      'Practitioner/dr1',
      'Practitioner/dr1',
    ];
    const resources = syntheticPatient({
      fills: Array.from({ length: 8 }, () => ({ tabsPerDay: 4, days: 22 })),
      adjust: (orders) => {
        orders.forEach((o, i) => (o.requester = { reference: written[i] }));
      },
      extra: [{ resourceType: 'Practitioner', id: 'dr1' }],
    }) as unknown as Json[];
    const asOf = parseIsoDate(AS_OF)!;
    const flags = (server?: string): string[] =>
      analyzeResources(resources, asOf, 'cdc-2022', {}, server).risk.flags.map((f) => f.code);
    expect(flags('https://ehr.example.org/fhir')).toContain('multiple-prescribers');
    // Only the EHR's own URLs, and no other server: one prescriber.
    const local = written.map((r) => r.replace(/clinic-[bcd]/, 'ehr'));
    const same = syntheticPatient({
      fills: Array.from({ length: 8 }, () => ({ tabsPerDay: 4, days: 22 })),
      adjust: (orders) => {
        orders.forEach((o, i) => (o.requester = { reference: local[i] }));
      },
    }) as unknown as Json[];
    expect(
      analyzeResources(same, asOf, 'cdc-2022', {}, 'https://ehr.example.org/fhir').risk.flags.map(
        (f) => f.code,
      ),
    ).not.toContain('multiple-prescribers');
  });

  it('one pharmacy referenced as Organization/x and by its absolute URLs is one pharmacy', () => {
    const written = [
      'Organization/ph1',
      'https://ehr.example.org/fhir/Organization/ph1',
      'https://ehr.example.org/fhir/Organization/ph1/_history/4',
      'http://ehr.example.org/fhir/Organization/ph1',
    ];
    const dispenses = written.map((reference, i) =>
      dispense(`d${i}`, '1049621', `2025-${String(8 + i).padStart(2, '0')}-20`, reference),
    );
    expect(codes(syntheticPatient({ extra: dispenses }))).not.toContain('multiple-prescribers');
    // Control: four organisations are four pharmacies.
    const four = [1, 2, 3, 4].map((i) =>
      dispense(`e${i}`, '1049621', `2025-${String(7 + i).padStart(2, '0')}-20`, `Organization/ph${i}`),
    );
    expect(codes(syntheticPatient({ extra: four }))).toContain('multiple-prescribers');
  });

  it('reads a party from its reference however written, and never reads a display as a reference', () => {
    const fills = Array.from({ length: 8 }, () => ({ tabsPerDay: 4, days: 22 }));
    const withRequesters = (requesters: MedicationRequest['requester'][], extra: Resource[] = []) =>
      syntheticPatient({
        fills,
        adjust: (orders) => {
          orders.forEach((o, i) => {
            const requester = requesters[i % requesters.length];
            if (requester) o.requester = requester;
          });
        },
        extra,
      });
    // Relative references with a version: one practitioner.
    const versions = [1, 2, 3, 4].map((v) => ({ reference: `Practitioner/dr1/_history/${v}` }));
    expect(codes(withRequesters(versions))).not.toContain('multiple-prescribers');
    // Four orders with a contained practitioner "#p" each: four practitioners.
    const contained = withRequesters([{ reference: '#p' }]).map((r) =>
      r.resourceType === 'MedicationRequest'
        ? { ...r, contained: [{ resourceType: 'Practitioner', id: 'p', name: [{ family: `Doc-${r.id}` }] }] }
        : r,
    ) as Resource[];
    expect(codes(contained)).toContain('multiple-prescribers');
    // Four names, one of which looks like a reference: four prescribers, not folded as references.
    const names = ['https://a.example/Staff/1', 'https://b.example/Staff/1', 'Staff/1', 'Dr Who'];
    expect(codes(withRequesters(names.map((display) => ({ display }))))).toContain('multiple-prescribers');
    // Deeper bases of the EHR's host are other servers once the server is known.
    const deeper = [
      'Practitioner/dr1',
      ...['t2', 't3', 't4'].map((t) => `https://ehr.example.org/fhir/${t}/Practitioner/dr1`),
    ];
    const record = withRequesters(deeper.map((reference) => ({ reference }))) as unknown as Json[];
    const asOf = parseIsoDate(AS_OF)!;
    expect(
      analyzeResources(record, asOf, 'cdc-2022', {}, 'https://ehr.example.org/fhir/').risk.flags.map(
        (f) => f.code,
      ),
    ).toContain('multiple-prescribers');
    // And in a Bundle read from a known server (the trend app's).
    const asBundle = bundle(...withRequesters(deeper.map((reference) => ({ reference })))) as unknown as Json;
    expect(
      analyzeBundle(asBundle, asOf, 'cdc-2022', {}, 'https://ehr.example.org/fhir').risk.flags.map(
        (f) => f.code,
      ),
    ).toContain('multiple-prescribers');
    expect(analyzeBundle(asBundle, asOf, 'cdc-2022').risk.flags.map((f) => f.code)).not.toContain(
      'multiple-prescribers',
    );
  });

  it('counts a contained prescriber or pharmacy by what it says of itself, not once per resource that carries it', () => {
    const fills = Array.from({ length: 8 }, () => ({ tabsPerDay: 4, days: 22 }));
    const containing = (practitioner: (i: number) => Record<string, unknown>): Resource[] =>
      syntheticPatient({
        fills,
        adjust: (orders) => {
          orders.forEach((o, i) => {
            o.requester = { reference: '#p' };
            o.contained = [{ resourceType: 'Practitioner', id: 'p', ...practitioner(i) }];
          });
        },
      });
    // The same external prescriber copied into every order: one prescriber.
    expect(codes(containing(() => ({ name: [{ given: ['Ann'], family: 'Same' }] })))).not.toContain(
      'multiple-prescribers',
    );
    const npi = 'http://hl7.org/fhir/sid/us-npi';
    expect(codes(containing(() => ({ identifier: [{ system: npi, value: '1234567890' }] })))).not.toContain(
      'multiple-prescribers',
    );
    // Four identifiers: four prescribers.
    expect(
      codes(containing((i) => ({ identifier: [{ system: npi, value: `12345678${i % 4}0` }] }))),
    ).toContain('multiple-prescribers');
    // Pharmacies: a contained Organization performer (its type declared) is a pharmacy, one per identifier.
    const atContained = (value: (i: number) => string): Resource[] =>
      [1, 2, 3, 4].map((i) => ({
        ...dispense(`c${i}`, '1049621', `2025-${String(7 + i).padStart(2, '0')}-20`, '#ph'),
        performer: [{ actor: { reference: '#ph', type: 'Organization' } }],
        contained: [
          { resourceType: 'Organization', id: 'ph', identifier: [{ system: npi, value: value(i) }] },
        ],
      }));
    expect(codes(syntheticPatient({ extra: atContained(() => '999') }))).not.toContain(
      'multiple-prescribers',
    );
    expect(codes(syntheticPatient({ extra: atContained((i) => `99${i}`) }))).toContain(
      'multiple-prescribers',
    );
  });

  it("keeps another server's reference apart even when the Bundle holds that entry, and cuts a versioned URL at its tail", () => {
    const asOf = parseIsoDate(AS_OF)!;
    const server = 'https://ehr.example.org/fhir';
    const flagged = (
      requesters: string[],
      entries: Resource[] = [],
      fullUrls: Record<string, string> = {},
    ) => {
      const resources = syntheticPatient({
        fills: Array.from({ length: 8 }, () => ({ tabsPerDay: 4, days: 22 })),
        adjust: (orders) => {
          orders.forEach((o, i) => (o.requester = { reference: requesters[i % requesters.length] }));
        },
        extra: entries,
      });
      const b = bundle(...resources);
      for (const entry of b.entry ?? []) {
        const url = entry.resource?.id === undefined ? undefined : fullUrls[entry.resource.id];
        if (url !== undefined) entry.fullUrl = url;
      }
      return analyzeBundle(b as unknown as Json, asOf, 'cdc-2022', {}, server).risk.flags.map((f) => f.code);
    };
    const others = ['b', 'c', 'd'].map((c) => `https://clinic-${c}.example.org/fhir/Practitioner/dr1`);
    expect(
      flagged(['Practitioner/dr1', ...others], [{ resourceType: 'Practitioner', id: 'dr1' }], {
        dr1: others[0]!,
      }),
    ).toContain('multiple-prescribers');
    // An id that is also a type name, with a version: one practitioner (three prescribers in all, no flag).
    expect(
      flagged([
        `${server}/Practitioner/Practitioner/_history/2`,
        `${server}/Practitioner/Practitioner`,
        'Practitioner/x2',
        'Practitioner/x3',
      ]),
    ).not.toContain('multiple-prescribers');
  });

  it('finds the pharmacy of a dispense performed by an Organization named by urn:uuid, and one pharmacy in its versions', () => {
    const organisations: Resource[] = [1, 2, 3, 4].map((i) => ({
      resourceType: 'Organization',
      id: `org${i}`,
    }));
    const byUuid = [1, 2, 3, 4].map((i) =>
      dispense(
        `u${i}`,
        '1049621',
        `2025-${String(7 + i).padStart(2, '0')}-20`,
        `urn:uuid:Organization-org${i}`,
      ),
    );
    expect(codes(syntheticPatient({ extra: [...organisations, ...byUuid] }))).toContain(
      'multiple-prescribers',
    );
    const versions = [1, 2, 3, 4].map((v) =>
      dispense(
        `v${v}`,
        '1049621',
        `2025-${String(7 + v).padStart(2, '0')}-20`,
        `Organization/ph1/_history/${v}`,
      ),
    );
    expect(codes(syntheticPatient({ extra: versions }))).not.toContain('multiple-prescribers');
  });

  it('one pharmacy with four pharmacists, and declined dispenses, are not four pharmacies', () => {
    const atLocation = [1, 2, 3, 4].map((i) => ({
      ...dispense(
        `d${i}`,
        '1049621',
        `2025-${String(7 + i).padStart(2, '0')}-20`,
        `Practitioner/pharmacist-${i}`,
      ),
      location: { reference: 'Location/main-street' },
    }));
    expect(codes(syntheticPatient({ extra: atLocation }))).not.toContain('multiple-prescribers');
    const declined = [1, 2, 3, 4].map((i): Resource => ({
      ...dispense(`x${i}`, '1049621', `2025-${String(7 + i).padStart(2, '0')}-20`, `Organization/ph${i}`),
      status: i === 1 ? 'completed' : 'declined',
    }));
    expect(codes(syntheticPatient({ extra: declined }))).not.toContain('multiple-prescribers');
  });

  describe('the evidence of multiple prescribers', () => {
    const npi = 'http://hl7.org/fhir/sid/us-npi';
    const prescribed = (
      requesters: MedicationRequest['requester'][],
      extra: Resource[] = [],
      contained: (i: number) => Resource[] | undefined = () => undefined,
    ): Resource[] =>
      syntheticPatient({
        fills: Array.from({ length: requesters.length }, () => ({ tabsPerDay: 4, days: 25 })),
        adjust: (orders) => {
          orders.forEach((o, i) => {
            o.requester = requesters[i]!;
            const own = contained(i);
            if (own) o.contained = own;
          });
        },
        extra,
      });
    /** The party an evidence item names: its detail up to what it did. */
    const who = (detail: string) => detail.replace(/: \d+ opioid .*$/, '');
    const flagOf = (resources: Resource[]) =>
      run(resources).flags.find((f) => f.code === 'multiple-prescribers');
    const pharmacies = (n: number) =>
      Array.from({ length: n }, (_, i) =>
        dispense(`d${i}`, '1049621', `2025-${String(8 + i).padStart(2, '0')}-20`, `Organization/ph${i}`),
      );

    it('names each prescriber - by display, by the Practitioner, by identifier - never by a key, with the count first', () => {
      const ann = { reference: 'Practitioner/a', display: 'Dr Ann Able' };
      const resources = prescribed(
        [
          ann,
          { reference: 'Practitioner/b' },
          ann,
          { reference: '#p' },
          // A list where FHIR has one Identifier: read all the same.
          {
            identifier: [{ system: npi, value: '1111111111' }],
            type: 'Practitioner',
          } as unknown as MedicationRequest['requester'],
          { reference: 'Practitioner/e' },
          { reference: 'Practitioner/b' },
        ],
        [
          { resourceType: 'Practitioner', id: 'b', name: [{ given: ['Bea '], family: 'Best' }] },
          ...pharmacies(3),
          { resourceType: 'Organization', id: 'ph0', name: 'Main Street Pharmacy' },
        ],
        // A contained practitioner with a single Identifier rather than a list.
        (i) =>
          i === 3
            ? ([
                { resourceType: 'Practitioner', id: 'p', identifier: { system: npi, value: '1234567893' } },
              ] as unknown as Resource[])
            : undefined,
      );
      const flag = flagOf(resources);
      // Three pharmacies are under the threshold: only the prescribers are counted in the summary.
      expect(flag?.summary).toBe('5 opioid prescribers in the last 180 days');
      const evidence = flag?.evidence ?? [];
      expect(evidence.map((e) => who(e.detail))).toEqual([
        'prescriber Dr Ann Able',
        'prescriber Bea Best',
        'prescriber Practitioner 1234567893',
        'prescriber Practitioner 1111111111',
        'prescriber Practitioner/e',
        'pharmacy Main Street Pharmacy',
        'pharmacy Organization/ph1',
        'pharmacy Organization/ph2',
      ]);
      // A reference names a resource: none for the contained prescriber or the one known by identifier alone.
      expect(evidence.map((e) => e.reference)).toEqual([
        'Practitioner/a',
        'Practitioner/b',
        undefined,
        undefined,
        'Practitioner/e',
        'Organization/ph0',
        'Organization/ph1',
        'Organization/ph2',
      ]);
      // Dr Able's two orders, the later one's day.
      const hers = resources.filter(
        (r): r is MedicationRequest => r.resourceType === 'MedicationRequest' && r.requester === ann,
      );
      const last = hers.map((o) => o.authoredOn!).sort()[1];
      expect(evidence[0]).toMatchObject({ value: 2, date: last });
      expect(evidence[0]?.detail).toBe(
        `prescriber Dr Ann Able: 2 opioid orders, the last on ${last} (${hers.map((o) => `MedicationRequest/${o.id}`).join(', ')})`,
      );
      expect(flagLines([flag as unknown as Flag], ['multiple-prescribers'])[0]).toMatch(
        /^- Several opioid prescribers or pharmacies: 5 opioid prescribers in the last 180 days - prescriber Dr Ann Able: .*; and 5 more$/,
      );
    });

    it('puts first what reached the threshold: the pharmacies when only they did', () => {
      const flag = flagOf(
        prescribed(
          ['A', 'B', 'C'].map((who) => ({ display: `Dr ${who}` })),
          pharmacies(4),
        ),
      );
      expect(flag?.summary).toBe('4 pharmacies dispensing opioids in the last 180 days');
      expect(flag?.evidence.map((e) => e.detail.split(' ')[0])).toEqual([
        ...Array(4).fill('pharmacy'),
        ...Array(3).fill('prescriber'),
      ]);
    });

    it('counts one practitioner once across a reference, an identifier and contained copies, and no patient', () => {
      const resources = prescribed(
        [
          { reference: 'Practitioner/a' },
          { identifier: { system: npi, value: '1' } },
          { reference: 'Practitioner/b' },
          { identifier: { system: npi, value: '2' } },
          { reference: '#p' },
          { reference: '#p' },
          { display: 'Dr  Cy  Cole' },
          { display: 'dr cy cole ' },
          { reference: 'Patient/p1' },
        ],
        [
          { resourceType: 'Practitioner', id: 'a', identifier: [{ system: npi, value: '1' }] },
          { resourceType: 'Practitioner', id: 'b', identifier: [{ system: npi, value: '2' }] },
        ],
        // One external prescriber copied into two orders with its identifiers in another order.
        (i) => {
          const ids = [
            { system: 'http://hl7.org/fhir/sid/us-dea', value: 'AB1234563' },
            { system: npi, value: '3' },
          ];
          return i === 4 || i === 5
            ? [{ resourceType: 'Practitioner', id: 'p', identifier: i === 4 ? ids : [...ids].reverse() }]
            : undefined;
        },
      );
      const flag = flagOf(resources);
      expect(flag?.summary).toBe('4 opioid prescribers in the last 180 days');
      expect(flag?.evidence.map((e) => e.value)).toEqual([2, 2, 2, 2]);
      expect(flag?.evidence.map((e) => who(e.detail))).toEqual([
        'prescriber Practitioner 1',
        'prescriber Practitioner 2',
        'prescriber Practitioner AB1234563',
        'prescriber Dr Cy Cole',
      ]);
    });

    it("takes no name from this server's entry for another server's practitioner, and shows no key for an unnamed one", () => {
      const server = 'https://ehr.example.org/fhir';
      const resources = prescribed(
        [
          { reference: 'Practitioner/dr1' },
          ...['t2', 't3'].map((t) => ({ reference: `${server}/${t}/Practitioner/dr1` })),
          { reference: '#p' },
        ],
        [{ resourceType: 'Practitioner', id: 'dr1', name: [{ text: 'Dr Local' }] }],
        (i) => (i === 3 ? [{ resourceType: 'Practitioner', id: 'p' }] : undefined),
      ) as unknown as Json[];
      const flag = analyzeResources(resources, parseIsoDate(AS_OF)!, 'cdc-2022', {}, server).risk.flags.find(
        (f) => f.code === 'multiple-prescribers',
      );
      expect(flag?.evidence.map((e) => who(e.detail))).toEqual([
        'prescriber Dr Local',
        `prescriber ${server}/t2/Practitioner/dr1`,
        `prescriber ${server}/t3/Practitioner/dr1`,
        'prescriber (no name given)',
      ]);
      expect(flag?.evidence.map((e) => e.reference)).toEqual([
        'Practitioner/dr1',
        `${server}/t2/Practitioner/dr1`,
        `${server}/t3/Practitioner/dr1`,
        undefined,
      ]);
    });

    it('lists at most three orders of one prescriber', () => {
      const same = { reference: 'Practitioner/a', display: 'Dr A' };
      const flag = flagOf(
        prescribed([
          same,
          same,
          same,
          same,
          same,
          { display: 'Dr B' },
          { display: 'Dr C' },
          { display: 'Dr D' },
        ]),
      );
      expect(flag?.evidence[0]?.detail).toMatch(
        /^prescriber Dr A: 5 opioid orders, the last on [\d-]+ \(MedicationRequest\/m0, MedicationRequest\/m1, MedicationRequest\/m2 and 2 more\)$/,
      );
    });
  });

  it('counts a prescriber known by identifier or by name alone as the same one however the orders carry it', () => {
    const npi = 'http://hl7.org/fhir/sid/us-npi';
    const requesters: MedicationRequest['requester'][] = [
      { identifier: { system: npi, value: '1111111111' } },
      { reference: '#p' },
      { display: 'Dr Cy Cole' },
      { display: 'DR CY COLE' },
      { reference: 'Practitioner/x' },
    ];
    // Three prescribers: the one known by NPI, Dr Cole, Practitioner/x.
    const resources = syntheticPatient({
      fills: Array.from({ length: 5 }, () => ({ tabsPerDay: 4, days: 30 })),
      adjust: (orders) => {
        orders.forEach((o, i) => {
          o.requester = requesters[i]!;
          if (i === 1)
            o.contained = [
              { resourceType: 'Practitioner', id: 'p', identifier: [{ system: npi, value: '1111111111' }] },
            ];
        });
      },
    });
    expect(codes(resources)).not.toContain('multiple-prescribers');
    // Control: four identifiers are four prescribers.
    const four = syntheticPatient({
      fills: Array.from({ length: 4 }, () => ({ tabsPerDay: 4, days: 30 })),
      adjust: (orders) => {
        orders.forEach((o, i) => (o.requester = { identifier: { system: npi, value: `111111111${i}` } }));
      },
    });
    expect(codes(four)).toContain('multiple-prescribers');
  });

  it.each(['+', 'HH'])('reads a positive cocaine screen written "%s"', (value) => {
    const obs =
      value === '+'
        ? urineScreen('u', UDS.cocaine[0], UDS.cocaine[1], '2026-01-01', { text: '+' })
        : {
            ...urineScreen('u', UDS.cocaine[0], UDS.cocaine[1], '2026-01-01', { interpretation: 'A' }),
            interpretation: [{ coding: [{ code: 'HH' }] }],
          };
    expect(codes(syntheticPatient({ extra: [obs as Resource] }))).toContain('uds-unexpected');
  });

  it('reads the screens a drugs-of-abuse panel reports as components', () => {
    const component = (loinc: readonly [string, string], positive: boolean | undefined) => ({
      code: cc(LOINC, loinc[0], loinc[1]),
      ...(positive === undefined
        ? {}
        : {
            valueCodeableConcept: positive
              ? cc(SNOMED, '10828004', 'Positive')
              : cc(SNOMED, '260385009', 'Negative'),
          }),
    });
    const panel = (components: object[]): Resource =>
      ({
        resourceType: 'Observation',
        id: 'panel',
        status: 'final',
        code: cc(LOINC, '46350-5', 'Drugs of abuse panel - Urine by Screen method'),
        subject: { reference: 'Patient/p1' },
        effectiveDateTime: '2026-01-01',
        component: components,
      }) as Resource;
    const cocaine = run(syntheticPatient({ extra: [panel([component(UDS.cocaine, true)])] }));
    expect(cocaine.flags.map((f) => f.code)).toContain('uds-unexpected');
    expect(JSON.stringify(cocaine.flags)).toMatch(/Benzoylecgonine.*positive for cocaine/);
    // Control: the same panel negative for cocaine says nothing.
    expect(codes(syntheticPatient({ extra: [panel([component(UDS.cocaine, false)])] }))).not.toContain(
      'uds-unexpected',
    );
    // Components without a result are unknown, named once by the panel's reference.
    const unread = run(
      syntheticPatient({
        extra: [panel([component(UDS.cocaine, undefined), component(UDS.heroin, undefined)])],
      }),
    );
    expect(unread.unreadResults).toEqual([
      expect.stringMatching(/^2 urine drug screens of 2026-01-01 \(Observation\/panel\) have no result/),
    ]);
  });

  it('an amphetamine prescription from 2015 does not explain a positive screen in 2026', () => {
    const old = medicationRequest({
      id: 'adhd',
      rxcui: '861225',
      display:
        'amphetamine aspartate 2.5 MG / amphetamine sulfate 2.5 MG / dextroamphetamine saccharate 2.5 MG / dextroamphetamine sulfate 2.5 MG Oral Tablet',
      authoredOn: '2015-01-01',
      status: 'completed',
      dosages: [{ dose: tab(1), timing: every(1, 'd') }],
      supply: { days: 30 },
    });
    const screen = urineScreen('u', '19261-7', 'Amphetamines [Presence] in Urine', '2026-01-01', {
      coded: 'positive',
    });
    expect(codes(syntheticPatient({ extra: [old, screen] }))).toContain('uds-unexpected');
    // Control: the same prescription covering the test explains it.
    const current = { ...old, id: 'adhd-now', authoredOn: '2025-12-20' };
    expect(codes(syntheticPatient({ extra: [current, screen] }))).not.toContain('uds-unexpected');
  });

  it('COMM scores outside 0-68 and the COMM-9 scale are not COMM totals', () => {
    const obs = (id: string, code: object, score: number): Resource => ({
      resourceType: 'Observation',
      id,
      status: 'final',
      code,
      effectiveDateTime: '2026-01-01',
      valueInteger: score,
    });
    expect(
      codes(
        syntheticPatient({
          extra: [obs('c1', cc('https://opioid-pain-cds.org/fhir/CodeSystem/assessment', 'comm-total'), 1e6)],
        }),
      ),
    ).not.toContain('comm-positive');
    expect(codes(syntheticPatient({ extra: [obs('c2', { text: 'COMM-9 short form' }, 20)] }))).not.toContain(
      'comm-positive',
    );
  });
});

describe('exclusions and suppression', () => {
  const cancerDx = (id: string, encounterRef: string, extra: object = {}) =>
    ({
      ...condition({
        id,
        code: LUNG_CANCER,
        category: 'encounter-diagnosis',
        encounter: encounterRef,
        recorded: '2025-10-01',
        status: 'resolved',
      }),
      ...extra,
    }) as Resource;

  it('refuted cancer diagnoses and cancelled encounters do not exclude', () => {
    const refuted = [
      cancerDx('c1', 'Encounter/e1', { verificationStatus: { coding: [{ code: 'refuted' }] } }),
      cancerDx('c2', 'Encounter/e2', { verificationStatus: { coding: [{ code: 'entered-in-error' }] } }),
      encounter('e1', '2025-10-01'),
      encounter('e2', '2025-11-01'),
    ];
    expect(run(syntheticPatient({ extra: refuted })).exclusions).toEqual([]);
    const cancelled = [
      encounter('e1', '2025-10-01', { status: 'cancelled', reasonCode: [LUNG_CANCER] }),
      encounter('e2', '2025-11-01', { status: 'entered-in-error', reasonCode: [LUNG_CANCER] }),
    ];
    expect(run(syntheticPatient({ extra: cancelled })).exclusions).toEqual([]);
  });

  it('one encounter referenced two ways is one encounter', () => {
    const resources = syntheticPatient({
      extra: [
        cancerDx('c1', 'urn:uuid:Encounter-e1'),
        encounter('e1', '2025-10-01', { diagnosis: [{ condition: { reference: 'Condition/c1' } }] }),
      ],
    });
    expect(run(resources).exclusions).toEqual([]);
  });

  it.each([
    ['HL7 discharge-disposition hosp', 'http://terminology.hl7.org/CodeSystem/discharge-disposition', 'hosp'],
    ['NUBC 50 (hospice - home)', 'https://www.nubc.org/CodeSystem/PatDischargeStatus', '50'],
    ['NUBC 51 (hospice - medical facility)', 'https://www.nubc.org/CodeSystem/PatDischargeStatus', '51'],
  ])('a discharge to hospice coded %s excludes the patient', (_, system, code) => {
    const discharged = encounter('h', '2025-11-01', {
      hospitalization: { dischargeDisposition: cc(system, code) },
    });
    expect(run(syntheticPatient({ extra: [discharged] })).exclusions).toEqual(['excluded-palliative']);
    // Discharged home (HL7 "home", NUBC 01) is no exclusion.
    const home = encounter('h', '2025-11-01', {
      hospitalization: { dischargeDisposition: cc(system, system.includes('nubc') ? '01' : 'home') },
    });
    expect(run(syntheticPatient({ extra: [home] })).exclusions).toEqual([]);
  });

  it('a hospice discharge in 2017 and a future hospice service do not exclude now', () => {
    const old = encounter('h', '2017-03-01', {
      hospitalization: { dischargeDisposition: cc(SNOMED, '385763009', 'Hospice care') },
    });
    const future = {
      resourceType: 'ServiceRequest',
      id: 'hs',
      status: 'active',
      intent: 'order',
      code: cc(SNOMED, '385763009', 'Hospice care'),
      authoredOn: '2026-09-01',
    } as Resource;
    expect(run(syntheticPatient({ extra: [old, future] })).exclusions).toEqual([]);
  });

  it.each([
    ['Mindfulness-based stress reduction class', 'mbsr'],
    ['Cognitive behavioral therapy for insomnia (CBT-I)', 'cbti'],
  ])('a referral to "%s" does not suppress MBT or CBT', (text) => {
    const sr = {
      resourceType: 'ServiceRequest',
      id: 'sr',
      status: 'completed',
      intent: 'order',
      code: { text },
      authoredOn: '2025-12-01',
    } as Resource;
    expect(run(syntheticPatient({ extra: [sr] })).referral.suppressed).toBe(false);
  });

  it('a proposed referral is a suggestion, not a referral', () => {
    const proposal = { ...referral('sr', 'mbt', '2025-12-01'), intent: 'proposal' } as Resource;
    expect(run(syntheticPatient({ extra: [proposal] })).referral.suppressed).toBe(false);
    expect(PROGRAM).toMatch(/referral-program$/);
  });
});

describe('rationale', () => {
  it('says "no pain diagnosis" rather than "other pain site" for LTOT without a diagnosis', () => {
    expect(run(syntheticPatient({ pain: 'none' })).referral.rationale.join(' ')).toMatch(
      /no pain diagnosis on record/,
    );
  });

  it('says low back pain is not yet chronic when it is recent', () => {
    const recent = condition({ id: 'lbp', code: cc(ICD10, 'M54.50', 'Low back pain'), onset: '2025-12-16' });
    expect(run(syntheticPatient({ pain: 'none', extra: [recent] })).referral.rationale.join(' ')).toMatch(
      /not documented as chronic/,
    );
  });
});

describe('thresholds', () => {
  // Oxycodone (factor 1.5) at 33.3 and 59.97 mg/day: 49.95 and 89.955 MME/day, shown rounded as 50 and 90.
  const oxycodone = (mgPerDay: number) =>
    medicationRequest({
      id: 'o',
      rxcui: '1049621',
      authoredOn: '2026-01-10',
      dosages: [{ dose: mg(mgPerDay), timing: every(1, 'd') }],
    });
  it.each([
    [33.3, 50, []],
    [33.4, 50.1, ['high-dose-50']],
    [59.97, 90, ['high-dose-50']],
    [60, 90, ['high-dose-50', 'high-dose-90']],
  ])('compares the unrounded total: %d mg/day of oxycodone is shown as %d MME/day', (dose, shown, raised) => {
    const report = run([oxycodone(dose)]);
    expect(report.totalMme).toBe(shown);
    expect(report.flags.map((f) => f.code).filter((c) => c.startsWith('high-dose'))).toEqual(raised);
  });
});

describe('benzodiazepine supplies', () => {
  it('dates a benzodiazepine dosed in mg by its quantity in tablets and the strength its name states', () => {
    // Lorazepam 0.5 mg tablets, 1 mg three times a day (6 tablets a day): 270 tablets last 45 days - to 2026-01-23,
    // past the as-of date - where an assumed 30 days ended on 2026-01-08.
    const lorazepam = medicationRequest({
      id: 'lzp',
      rxcui: '197901',
      display: 'lorazepam 0.5 MG Oral Tablet',
      authoredOn: '2025-12-10',
      dosages: [{ dose: mg(1), timing: every(1, 'd', 3) }],
      supply: { quantity: tab(270) },
    });
    const report = run(syntheticPatient({ extra: [lorazepam] }));
    const overlap = report.flags.find((f) => f.code === 'benzodiazepine-overlap');
    expect(overlap?.evidence[0]?.detail).toMatch(
      /^lorazepam 0.5 MG Oral Tablet \(2025-12-10 to 2026-01-23\) overlaps/,
    );
    expect(report.referral.safetyActions).toContain('benzodiazepine-review');
  });
});

describe('undated orders', () => {
  it.each([undefined, '2026-01'])(
    'counts an active benzodiazepine order with authoredOn %s on the as-of date, as an undated opioid order is',
    (authoredOn) => {
      const temazepam = {
        ...medicationRequest({
          id: 'benzo',
          rxcui: '198241',
          display: 'temazepam 15 MG Oral Capsule',
          dosages: [{ dose: tab(1), timing: every(1, 'd') }],
        }),
        authoredOn,
      };
      const report = run(syntheticPatient({ extra: [temazepam] }));
      const overlap = report.flags.find((f) => f.code === 'benzodiazepine-overlap');
      expect(overlap?.evidence[0]?.detail).toBe(
        'temazepam 15 MG Oral Capsule (no start date: considered on 2026-01-15 only) overlaps opioid orders on 1 day',
      );
      expect(report.referral.safetyActions).toContain('benzodiazepine-review');
      // A completed one without a date cannot be placed: it is not taken as current.
      const completed = run(syntheticPatient({ extra: [{ ...temazepam, status: 'completed' }] }));
      expect(completed.flags.map((f) => f.code)).not.toContain('benzodiazepine-overlap');
    },
  );
});

describe('urine tests of one named substance', () => {
  const onMorphine = (extra: Resource[]) =>
    syntheticPatient({
      extra,
      adjust: (orders) => {
        for (const o of orders)
          o.medicationCodeableConcept = {
            coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '892582' }],
          };
      },
    });
  const uds = (report: ReturnType<typeof run>) =>
    report.flags.find((f) => f.code === 'uds-unexpected')?.evidence.map((e) => e.detail) ?? [];
  const test = (id: string, loinc: string, display: string, coded: 'positive' | 'negative') =>
    urineScreen(id, loinc, display, '2026-01-05', { coded });

  it('a confirmation panel on morphine - morphine positive, codeine negative - is what is expected', () => {
    const report = run(
      onMorphine([
        test('m', '16196-8', 'Morphine [Presence] in Urine by Confirmatory method', 'positive'),
        test('c', '16197-6', 'Codeine [Presence] in Urine by Confirmatory method', 'negative'),
      ]),
    );
    expect(uds(report)).toEqual([]);
    expect(report.referral.recommendation).toBe('MBT_OR_CBT');
  });

  it('a negative morphine confirmation on morphine, and a positive one on oxycodone, are unexpected', () => {
    const negative = test('m', '16196-8', 'Morphine [Presence] in Urine by Confirmatory method', 'negative');
    expect(uds(run(onMorphine([negative])))).toEqual([
      'Morphine [Presence] in Urine by Confirmatory method: negative for prescribed morphine',
    ]);
    const positive = test('m', '16196-8', 'Morphine [Presence] in Urine by Confirmatory method', 'positive');
    expect(uds(run(syntheticPatient({ extra: [positive] })))).toEqual([
      'Morphine [Presence] in Urine by Confirmatory method: positive for morphine, not prescribed',
    ]);
  });

  it('no prescription explains a fentanyl analogue or a novel synthetic opioid', () => {
    const patch = medicationRequest({
      id: 'patch',
      rxcui: '245134',
      authoredOn: '2026-01-01',
      dosages: [{ dose: qty(1, 'patch', '{patch}'), timing: every(72, 'h') }],
      supply: { days: 30 },
    });
    const report = run(
      syntheticPatient({
        extra: [
          patch,
          test('af', '74810-3', 'Acetyl fentanyl [Presence] in Urine by Confirmatory method', 'positive'),
          test('u', '93459-6', 'U-47700 [Mass/volume] in Urine by Confirmatory method', 'positive'),
          test('f', '40839-3', 'fentaNYL [Presence] in Urine by Confirmatory method', 'positive'),
        ],
      }),
    );
    expect(uds(report)).toEqual([
      'Acetyl fentanyl [Presence] in Urine by Confirmatory method: positive for a fentanyl analogue',
      'U-47700 [Mass/volume] in Urine by Confirmatory method: positive for a novel synthetic opioid',
    ]);
  });
});
