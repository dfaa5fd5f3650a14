/**
 * Synthetic prescription histories: consecutive 30-day oxycodone 5 mg fills at a chosen number of tablets a day,
 * so each month's MME is known (tabs x 5 mg x 1.5).
 */
import type { MedicationRequest, Resource } from '@medplum/fhirtypes';
import { formatDay, parseIsoDate } from '../../src/domain/time/day.ts';
import { every, medicationRequest, tab } from './fhir-builders.ts';

export interface Fill {
  /** Tablets of oxycodone 5 mg per day: MME = tabs x 7.5. */
  tabsPerDay: number;
  days?: number;
}

/** Fills back to back from `start`; returns MedicationRequests with ids m0, m1... */
export function monthlyFills(start: string, fills: Fill[], rxcui = '1049621'): MedicationRequest[] {
  let day = parseIsoDate(start);
  if (day === undefined) throw new Error(`bad date ${start}`);
  return fills.map((fill, i) => {
    const days = fill.days ?? 30;
    const order = medicationRequest({
      id: `m${i}`,
      rxcui,
      authoredOn: formatDay(day!),
      status: 'completed',
      dosages: [{ dose: tab(fill.tabsPerDay), timing: every(1, 'd') }],
      supply: { quantity: tab(fill.tabsPerDay * days), days },
    });
    day! += days;
    return order;
  });
}

const PRODUCTS = [
  {
    rxcui: '1049621',
    display: 'oxycodone hydrochloride 5 MG Oral Tablet',
    unit: 'tablet',
    code: '{tbl}',
    dose: 1,
    perDay: 4,
  },
  {
    rxcui: '857005',
    display: 'acetaminophen 325 MG / hydrocodone bitartrate 7.5 MG Oral Tablet',
    unit: 'tablet',
    code: '{tbl}',
    dose: 1,
    perDay: 6,
  },
  {
    rxcui: '892596',
    display: 'morphine sulfate 20 MG Extended Release Oral Capsule',
    unit: 'capsule',
    code: '{cap}',
    dose: 1,
    perDay: 2,
  },
  {
    rxcui: '197696',
    display: '72 HR fentanyl 0.075 MG/HR Transdermal System',
    unit: 'patch',
    code: '{patch}',
    dose: 1,
    perDay: 1 / 3,
  },
  {
    rxcui: '836397',
    display: 'acetaminophen 325 MG / tramadol hydrochloride 37.5 MG Oral Tablet',
    unit: 'tablet',
    code: '{tbl}',
    dose: 2,
    perDay: 4,
  },
] as const;

/**
 * A long Epic-style history: `count` back-to-back 30-day orders ending near `end`, several codings per product,
 * "ordered" and "calculated" doseAndRate, dispense requests; every third order references a separate Medication.
 */
export function epicStyleHistory(count: number, end = '2026-01-15'): Resource[] {
  const endDay = parseIsoDate(end)!;
  const resources: Resource[] = [];
  for (let i = 0; i < count; i++) {
    const p = PRODUCTS[i % PRODUCTS.length]!;
    const start = endDay - (count - i) * 30 + 10;
    const codings = [
      {
        system: 'urn:oid:1.2.840.114350.1.13.0.1.7.2.698288',
        code: `${40000 + i}`,
        display: p.display.toUpperCase(),
      },
      { system: 'http://hl7.org/fhir/sid/ndc', code: `0406-05${String(i % 100).padStart(2, '0')}-01` },
      { system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: p.rxcui, display: p.display },
    ];
    const viaReference = i % 3 === 0;
    if (viaReference)
      resources.push({
        resourceType: 'Medication',
        id: `med-${i}`,
        code: { coding: codings, text: p.display },
      });
    const request: MedicationRequest = {
      resourceType: 'MedicationRequest',
      id: `mr-${i}`,
      status: i === count - 1 ? 'active' : 'completed',
      intent: 'order',
      subject: { reference: 'Patient/p1', display: 'Synthetic Patient' },
      requester: { reference: `Practitioner/pr-${i % 3}`, display: 'Synthetic Prescriber' },
      authoredOn: `${formatDay(start)}T09:30:00-05:00`,
      ...(viaReference
        ? { medicationReference: { reference: `Medication/med-${i}`, display: p.display } }
        : { medicationCodeableConcept: { coding: codings, text: p.display } }),
      dosageInstruction: [
        {
          text: `Take ${p.dose} ${p.unit} by mouth ${p.perDay} times daily`,
          timing:
            p.perDay < 1
              ? { repeat: { frequency: 1, period: 72, periodUnit: 'h' } }
              : { repeat: { frequency: p.perDay, period: 1, periodUnit: 'd' } },
          doseAndRate: [
            {
              type: {
                coding: [
                  {
                    system: 'http://epic.com/CodeSystem/dose-rate-type',
                    code: 'calculated',
                    display: 'calculated',
                  },
                ],
              },
              doseQuantity: { value: p.dose, unit: p.unit },
            },
            {
              type: {
                coding: [
                  {
                    system: 'http://epic.com/CodeSystem/dose-rate-type',
                    code: 'ordered',
                    display: 'ordered',
                  },
                ],
              },
              doseQuantity: {
                value: p.dose,
                unit: p.unit,
                system: 'http://unitsofmeasure.org',
                code: p.code,
              },
            },
          ],
        },
      ],
      dispenseRequest: {
        validityPeriod: { start: formatDay(start), end: formatDay(start + 365) },
        numberOfRepeatsAllowed: 0,
        quantity: { value: Math.ceil(p.dose * p.perDay * 30), unit: p.unit },
        expectedSupplyDuration: { value: 30, unit: 'Day', system: 'http://unitsofmeasure.org', code: 'd' },
      },
    };
    resources.push(request);
  }
  return resources;
}
