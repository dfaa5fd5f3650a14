/**
 * The synthetic population loaded into a real FHIR server: one patient per branch of the referral decision (from the
 * scenario catalogue) and the hard shapes an EHR produces - five years of monthly refills, a history longer than
 * several search pages, tapering, escalation, Epic-style multi-coded orders with separate Medication resources,
 * urine screens coded three ways, a patient with no opioid. Generated, never hand-written; dated relative to AS_OF
 * (the tests' fixed clock). Each patient has ids of its own (patient-identity.ts).
 */
import type { Bundle, MedicationRequest, Resource } from '@medplum/fhirtypes';
import { formatDay, parseIsoDate } from '../../src/domain/time/day.ts';
import { every, medicationRequest, tab } from '../builders/fhir-builders.ts';
import { epicStyleHistory, monthlyFills, type Fill } from '../builders/history.ts';
import {
  cc,
  CHRONIC_LBP,
  commScore,
  condition,
  ICD10,
  LOINC,
  patient,
  UDS,
  urineScreen,
} from '../builders/record-builders.ts';
import { AS_OF, SCENARIOS, type Expectation } from '../fixtures/synthetic-patients.ts';
import { withIdentity } from './patient-identity.ts';

export interface SyntheticPatient {
  /** The Patient's id on the server; the other ids start with it. */
  readonly key: string;
  readonly title: string;
  readonly resources: Resource[];
  /** What the referral decision must be (branch patients and shapes with a known outcome). */
  readonly expect?: Pick<Expectation, 'recommendation' | 'suppressed'>;
  /** What the dose trend must show. */
  readonly trend?: 'escalating' | 'tapering';
  readonly medicationRequests: number;
}

const asOf = parseIsoDate(AS_OF)!;
const day = (offset: number): string => formatDay(asOf + offset);

/** Back-to-back fills of `days` days ending on AS_OF. */
function fillsEndingToday(fills: readonly Fill[]): MedicationRequest[] {
  const total = fills.reduce((n, f) => n + (f.days ?? 30), 0);
  const orders = monthlyFills(day(-total + 1), [...fills]);
  orders[orders.length - 1]!.status = 'active';
  return orders;
}

const painCondition = (): Resource => condition({ id: 'lbp', code: CHRONIC_LBP, onset: '2019-04-01' });

function otherConditions(): Resource[] {
  const codes = ['I10', 'E11.9', 'E78.5', 'J45.909', 'K21.9', 'M17.11', 'G47.33', 'F41.1', 'N18.3'];
  return codes.map((code, i) => condition({ id: `c${i}`, code: cc(ICD10, code), onset: '2018-01-01' }));
}

function routineObservations(count: number): Resource[] {
  return Array.from({ length: count }, (_, i) => {
    const date = day(-30 * (count - i));
    if (i % 4 === 0)
      return urineScreen(`uds-${i}`, UDS.oxycodone[0], UDS.oxycodone[1], date, { coded: 'positive' });
    if (i % 4 === 1) return commScore(`comm-${i}`, 4, date);
    return {
      resourceType: 'Observation',
      id: `bp-${i}`,
      status: 'final',
      code: cc(LOINC, '85354-9', 'Blood pressure panel'),
      subject: { reference: 'Patient/p1' },
      effectiveDateTime: date,
      valueString: '128/82',
    } satisfies Resource;
  });
}

/**
 * Five years of a primary-care patient on oxycodone: 60 monthly refills (4-6 tablets a day) ending on AS_OF, a
 * naloxone order, 40 observations (urine screens, COMM scores, blood pressures) and 10 conditions. Also the hooks
 * benchmark's request.
 */
export function fiveYearHistory(): Resource[] {
  const naloxone = medicationRequest({
    id: 'narcan',
    rxcui: '1725059',
    authoredOn: day(-75),
    status: 'completed',
    dosages: [{ dose: tab(1), timing: every(1, 'd'), prn: true }],
  });
  return [
    patient('1966-03-14'),
    painCondition(),
    ...otherConditions(),
    ...fillsEndingToday(Array.from({ length: 60 }, (_, i) => ({ tabsPerDay: 4 + (i % 3) }))),
    naloxone,
    ...routineObservations(40),
  ];
}

interface Shape {
  key: string;
  title: string;
  resources: Resource[];
  expect?: SyntheticPatient['expect'];
  trend?: SyntheticPatient['trend'];
}

function shapes(): Shape[] {
  const weekly: Fill[] = Array.from({ length: 7 * 52 }, () => ({ tabsPerDay: 4, days: 7 }));
  return [
    {
      key: 'five-year-monthly',
      title: 'five years of monthly oxycodone refills, a naloxone order, 40 observations, 10 conditions',
      resources: fiveYearHistory(),
      expect: { recommendation: 'MBT_OR_CBT' },
    },
    {
      key: 'weekly-seven-years',
      title: 'seven years of weekly refills (364 orders: several search pages)',
      resources: [patient('1958-11-02'), painCondition(), ...fillsEndingToday(weekly)],
      expect: { recommendation: 'MBT_OR_CBT' },
    },
    {
      key: 'tapering',
      title: 'tapering from 90 to 30 MME/day over six months',
      resources: [
        patient('1961-07-21'),
        painCondition(),
        ...fillsEndingToday([12, 12, 12, 10, 8, 6, 4].map((tabsPerDay) => ({ tabsPerDay }))),
      ],
      trend: 'tapering',
      expect: { recommendation: 'MBT_OR_CBT' },
    },
    {
      key: 'escalating',
      title: 'escalating from 30 to 90 MME/day over three months',
      resources: [
        patient('1972-01-30'),
        painCondition(),
        ...fillsEndingToday([4, 4, 4, 4, 8, 12].map((tabsPerDay) => ({ tabsPerDay }))),
      ],
      trend: 'escalating',
      expect: { recommendation: 'MBT_OR_CBT' },
    },
    {
      key: 'epic-multicoded',
      title:
        'Epic-style orders: three codings each, separate Medication resources (the current one too), five products',
      // 25 orders: every third, the last included, names its product through a separate Medication.
      resources: [patient('1969-09-09'), painCondition(), ...epicStyleHistory(25, AS_OF)],
    },
    {
      key: 'urine-three-ways',
      title: 'urine screens coded three ways (SNOMED result, text, interpretation)',
      resources: [
        patient('1975-05-05'),
        painCondition(),
        ...fillsEndingToday(Array.from({ length: 6 }, () => ({ tabsPerDay: 4 }))),
        urineScreen('u1', UDS.oxycodone[0], UDS.oxycodone[1], day(-60), { coded: 'positive' }),
        urineScreen('u2', UDS.cocaine[0], UDS.cocaine[1], day(-40), { text: 'Negative' }),
        urineScreen('u3', UDS.fentanyl[0], UDS.fentanyl[1], day(-20), { interpretation: 'POS' }),
      ],
      expect: { recommendation: 'MORE' },
    },
    {
      key: 'unknown-dose',
      title: 'an order "as directed" with neither dose nor supply: its MME is unknown, never counted as 0',
      resources: [
        patient('1964-10-12'),
        painCondition(),
        ...fillsEndingToday(Array.from({ length: 6 }, () => ({ tabsPerDay: 4 }))),
        medicationRequest({
          id: 'as-directed',
          rxcui: '897696',
          display: 'hydromorphone hydrochloride 2 MG Oral Tablet',
          status: 'active',
          authoredOn: day(-10),
          dosages: [{ prn: true }],
        }),
      ],
    },
    {
      key: 'no-opioids',
      title: 'chronic low back pain treated without opioids',
      resources: [
        patient('1980-02-02'),
        painCondition(),
        medicationRequest({
          id: 'naproxen',
          rxcui: '198013',
          display: 'naproxen 500 MG Oral Tablet',
          authoredOn: day(-20),
          dosages: [{ dose: tab(1), timing: every(1, 'd', 2) }],
          supply: { days: 30 },
        }),
      ],
      expect: { recommendation: 'NONE' },
    },
  ];
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 30)
    .replace(/-$/, '');
}

function branchPatients(): Shape[] {
  const chosen = new Map<string, (typeof SCENARIOS)[number]>();
  for (const s of SCENARIOS) {
    const branch = s.expect.branch ?? (s.expect.suppressed ? 'suppressed' : undefined);
    if (branch && !chosen.has(branch)) chosen.set(branch, s);
  }
  return [...chosen].map(([branch, s]) => ({
    key: `branch-${slug(branch)}`,
    title: s.name,
    resources: s.resources,
    expect: { recommendation: s.expect.recommendation, suppressed: s.expect.suppressed },
  }));
}

/** The whole population; every call builds it afresh (callers may change what they get). */
export function syntheticPopulation(): SyntheticPatient[] {
  return [...branchPatients(), ...shapes()].map((s) => {
    const resources = withIdentity(s.key, s.resources);
    return {
      key: s.key,
      title: s.title,
      resources,
      ...(s.expect ? { expect: s.expect } : {}),
      ...(s.trend ? { trend: s.trend } : {}),
      medicationRequests: resources.filter((r) => r.resourceType === 'MedicationRequest').length,
    };
  });
}

/** A transaction that creates or replaces the patient's resources under their own ids (PUT). */
export function transactionFor(patient: Pick<SyntheticPatient, 'resources'>): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: patient.resources.map((resource) => ({
      resource,
      request: { method: 'PUT', url: `${resource.resourceType}/${resource.id!}` },
    })),
  };
}
