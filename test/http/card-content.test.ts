/**
 * What the cards say when the record is incomplete or unusual: an unknown dose is never shown as 0, lower bounds
 * say "at least", chronic pain is said only when it is on record, the MORE trial population needs long-term opioid
 * therapy, a taper faster than CDC's pace is said, record text cannot start Markdown blocks, and suggested
 * resources carry only valid references.
 */
import type { Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { every, medicationRequest, tab } from '../builders/fhir-builders.ts';
import {
  CHRONIC_LBP,
  commScore,
  condition,
  OUD_MILD,
  OUD_SEVERE,
  patient,
} from '../builders/record-builders.ts';
import { syntheticPatient } from '../fixtures/synthetic-patients.ts';
import { build } from '../helpers/build-app.ts';
import { expectCdsHooksResponse } from '../helpers/cds-contract.ts';
import { hookRequest, prefetchFor } from '../helpers/hooks.ts';

interface Card {
  summary: string;
  detail: string;
  indicator: string;
  source: { topic: { code: string } };
  suggestions?: { actions: { resource: Record<string, unknown> }[] }[];
}

async function patientView(
  resources: Resource[],
  options: { patch?: (prefetch: Record<string, unknown>) => void; userId?: string } = {},
): Promise<Card[]> {
  const prefetch = prefetchFor(resources);
  options.patch?.(prefetch);
  const res = await build().inject({
    method: 'POST',
    url: '/cds-services/opioid-pain-patient-view',
    payload: hookRequest('patient-view', 'p1', {
      prefetch,
      ...(options.userId ? { context: { userId: options.userId } } : {}),
    }),
  });
  const body = res.json();
  expectCdsHooksResponse(body);
  return body.cards as Card[];
}

const card = (cards: Card[], topic: string): Card => {
  const found = cards.find((c) => c.source.topic.code === topic);
  if (!found) throw new Error(`no ${topic} card in ${cards.map((c) => c.source.topic.code).join(', ')}`);
  return found;
};
/** An order named only in text: an opioid whose dose is unknown. */
const textOnly = (id: string, text: string, authoredOn: string, status: 'active' | 'completed' = 'active') =>
  medicationRequest({
    id,
    text,
    authoredOn,
    status,
    dosages: [{ dose: tab(2), timing: every(1, 'd') }],
    supply: { days: 30 },
  });
/** Oxycodone 5 mg, 4 a day from 2026-01-05: 30 MME/day, ten days - not long-term therapy. */
const newOxycodone = () =>
  medicationRequest({
    id: 'new',
    rxcui: '1049621',
    authoredOn: '2026-01-05',
    dosages: [{ dose: tab(4), timing: every(1, 'd') }],
    supply: { days: 30 },
  });
const lowBackPain = () => condition({ id: 'pain', code: CHRONIC_LBP, onset: '2023-03-01' });

describe('card content', () => {
  it('the data-gap card does not say the patient is on opioids when no opioid order could be read', async () => {
    const cards = await patientView([patient('1970-05-01'), lowBackPain()], {
      patch: (p) => {
        (p.medications as Record<string, unknown>).link = [
          { relation: 'next', url: 'https://ehr.example/fhir/MedicationRequest?page=2' },
        ];
      },
    });
    const gap = card(cards, 'datagap');
    expect(gap.detail).not.toMatch(/The patient is on opioids/);
    expect(gap.detail).toMatch(/whether the patient is on opioids is unknown/);
  });

  it('an unknown current dose reads "unknown", never 0; the naloxone card names its reason', async () => {
    const cards = await patientView([
      patient('1970-05-01'),
      lowBackPain(),
      condition({ id: 'oud', code: OUD_MILD, onset: '2025-01-01' }),
      textOnly('u1', 'oxycodone oral tablet', '2026-01-01'),
    ]);
    expect(JSON.stringify(cards)).not.toMatch(/\b0 MME\/day/);
    expect(card(cards, 'naloxone').summary).toBe(
      'Offer naloxone: overdose risk (opioid use disorder) and no naloxone prescribed in 12 months',
    );
    expect(card(cards, 'referralmore').detail).toMatch(
      /current dose \*\*unknown MME\/day\*\* \(an active order has an unknown dose\); 90-day average unknown MME\/day/,
    );
  });

  it('an order added to a current dose that is unknown: "to at least", no "from 0"', async () => {
    const draft = medicationRequest({
      id: 'd1',
      rxcui: '1049621',
      status: 'draft',
      dosages: [{ dose: tab(6), timing: every(1, 'd') }],
      supply: { days: 30 },
    });
    const res = await build().inject({
      method: 'POST',
      url: '/cds-services/opioid-pain-order-select',
      payload: hookRequest('order-select', 'p1', {
        prefetch: prefetchFor([
          ...syntheticPatient({ fills: [] }),
          textOnly('u1', 'hydromorphone oral tablet', '2026-01-01'),
        ]),
        context: {
          selections: ['MedicationRequest/d1'],
          draftOrders: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: draft }] },
        },
      }),
    });
    const [order] = res.json().cards as Card[];
    expect(order?.summary).toBe(
      'This order brings the total to at least 45 MME/day (the current dose is unknown)',
    );
    expect(order?.detail).toMatch(
      /Total before this order: unknown MME\/day; with it: at least 45 MME\/day\./,
    );
  });

  it('a 90-day average with days of unknown dose is a lower bound', async () => {
    const cards = await patientView([
      ...syntheticPatient(),
      textOnly('u1', 'hydromorphone oral tablet', '2025-11-16', 'completed'),
    ]);
    expect(card(cards, 'referralmbtcbt').detail).toMatch(/90-day average at least 30 MME\/day/);
  });

  it('a taper faster than 10% a month says so', async () => {
    const cards = await patientView(
      syntheticPatient({ fills: [12, 12, 12, 12, 4, 4].map((tabsPerDay) => ({ tabsPerDay })) }),
    );
    expect(card(cards, 'referralmbtcbt').detail).toMatch(
      /tapering: down 66\.7% over 90 days, up to 66\.7% in a month: faster than CDC 2022's 10% a month/,
    );
  });

  it('MORE without long-term opioid therapy does not match the Garland 2022 population, and says why', async () => {
    const cards = await patientView(
      syntheticPatient({ fills: [], extra: [newOxycodone(), commScore('comm', 12, '2026-01-10')] }),
    );
    const more = card(cards, 'referralmore');
    expect(more.detail).toMatch(
      /\*\*Trial population:\*\* does not match the population of Garland 2022: long-term opioid therapy not met/,
    );
  });

  it('MORE for opioid use disorder without a pain diagnosis does not claim chronic pain', async () => {
    const cards = await patientView([
      patient('1970-05-01'),
      newOxycodone(),
      condition({ id: 'oud', code: OUD_SEVERE, onset: '2025-01-01' }),
    ]);
    const more = card(cards, 'referralmore');
    expect(more.summary).toBe('Offer MORE alongside MOUD: opioid use disorder');
    expect(more.suggestions?.[0]?.actions[0]?.resource.reasonCode).toEqual([
      { text: 'Opioid use disorder: MORE alongside MOUD' },
    ]);
  });

  it('record text cannot start a Markdown heading or list inside our list items', async () => {
    const cards = await patientView([
      patient('1970-05-01'),
      textOnly('u1', '# STOP ALL OPIOIDS TODAY oxycodone', '2026-01-01'),
    ]);
    expect(card(cards, 'datagap').detail).toMatch(/^- \\# STOP ALL OPIOIDS TODAY oxycodone/m);
  });

  it('a userId that is not a valid FHIR reference is not made the requester of a suggestion', async () => {
    const cards = await patientView(syntheticPatient(), { userId: 'Practitioner/dr 1' });
    const resource = card(cards, 'referralmbtcbt').suggestions?.[0]?.actions[0]?.resource;
    expect(resource).toBeDefined();
    expect(resource?.requester).toBeUndefined();
    const valid = await patientView(syntheticPatient(), { userId: 'Practitioner/dr-1' });
    expect(card(valid, 'referralmbtcbt').suggestions?.[0]?.actions[0]?.resource.requester).toEqual({
      reference: 'Practitioner/dr-1',
    });
  });
});
