/** Card rendering is pure: the same analysis always gives the same cards, ids apart. */
import { describe, expect, it } from 'vitest';
import { analyzeBundle } from '../../src/analysis/analyze-bundle.ts';
import type { CardContext } from '../../src/cards/card.types.ts';
import { dataGapCard } from '../../src/cards/data-gap-card.ts';
import { referralCard } from '../../src/cards/referral-card.ts';
import { safetyCards } from '../../src/cards/safety-cards.ts';
import { summary, trendLink } from '../../src/cards/card-common.ts';
import { parseIsoDate } from '../../src/domain/time/day.ts';
import { bundle, every, medicationRequest, tab } from '../builders/fhir-builders.ts';
import { condition, OUD_SEVERE } from '../builders/record-builders.ts';
import { AS_OF, syntheticPatient } from '../fixtures/synthetic-patients.ts';

function render(ids: () => string) {
  const resources = syntheticPatient({
    extra: [condition({ id: 'oud', code: OUD_SEVERE, onset: '2025-01-01' })],
  });
  const analysis = analyzeBundle(bundle(...resources) as never, parseIsoDate(AS_OF)!, 'cdc-2022');
  const ctx: CardContext = {
    patientId: 'p1',
    userId: 'Practitioner/x',
    today: AS_OF,
    publicBaseUrl: 'https://cds.example.org',
    trendLink: 'smart',
    partial: [],
    newId: ids,
  };
  return [...safetyCards(analysis, ctx), referralCard(analysis, ctx)];
}

const withoutIds = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value, (k, v: unknown) => (k === 'uuid' ? undefined : v)));

describe('cards', () => {
  it('the same analysis gives the same cards, ids apart', () => {
    let a = 0;
    let b = 1000;
    const first = render(() => `a${++a}`);
    const second = render(() => `b${++b}`);
    expect(withoutIds(first)).toEqual(withoutIds(second));
    expect(JSON.stringify(first)).not.toEqual(JSON.stringify(second));
  });

  it('links the trend app as a SMART app for EHRs, and straight to the patient in the demo', () => {
    const ctx: CardContext = {
      patientId: 'p 1',
      today: AS_OF,
      publicBaseUrl: 'https://cds.example.org',
      trendLink: 'smart',
      partial: [],
      newId: () => 'x',
    };
    expect(trendLink(ctx)).toEqual({
      label: 'MME trend and order details',
      url: 'https://cds.example.org/trend',
      type: 'smart',
    });
    expect(trendLink({ ...ctx, trendLink: 'absolute' })).toEqual({
      label: 'MME trend and order details',
      url: 'https://cds.example.org/trend?patient=p%201',
      type: 'absolute',
    });
  });

  it('keeps summaries under 140 characters, cutting at a word', () => {
    const long = summary('word '.repeat(60));
    expect(long.length).toBeLessThan(140);
    expect(long.endsWith('…')).toBe(true);
    expect(summary('short')).toBe('short');
  });

  it('says which current orders have an unknown dose, five of them, with the known dose beside them', () => {
    // Oxycodone 5 mg 4 a day for a week (30 MME/day), and seven orders whose Medications could not be read.
    const known = medicationRequest({
      id: 'oxy',
      rxcui: '1049621',
      authoredOn: '2026-01-12',
      dosages: [{ dose: tab(1), timing: every(1, 'd', 4) }],
      supply: { quantity: tab(28), days: 7 },
    });
    const unread = Array.from({ length: 7 }, (_, i) =>
      medicationRequest({
        id: `u${i}`,
        medicationReference: `Medication/m${i}`,
        authoredOn: '2026-01-12',
        dosages: [{ dose: tab(1), timing: every(1, 'd') }],
        supply: { quantity: tab(7), days: 7 },
      }),
    );
    const resources = [...syntheticPatient({ fills: [], pain: 'none' }), known, ...unread];
    const analysis = analyzeBundle(bundle(...resources) as never, parseIsoDate(AS_OF)!, 'cdc-2022');
    const ctx: CardContext = {
      patientId: 'p1',
      today: AS_OF,
      publicBaseUrl: 'https://cds.example.org',
      trendLink: 'smart',
      partial: [],
      newId: () => 'gap',
    };
    expect(safetyCards(analysis, ctx)).toEqual([]);
    expect(referralCard(analysis, ctx)).toBeUndefined();
    const card = dataGapCard(analysis, ctx, { alone: true })!;
    expect(card.summary).toBe('Opioid check incomplete: 7 medication orders could not be identified');
    const listed = card.detail.split('\n').filter((l) => l.startsWith('- '));
    expect(listed).toEqual([
      ...[0, 1, 2, 3, 4].map(
        (i) =>
          `- MedicationRequest/u${i}: MME unknown - Medication/m${i} is not available: whether it is an opioid, and its strength, are unknown`,
      ),
      '- and 2 more',
    ]);
    expect(card.detail).toMatch(
      /\*\*Current opioids:\*\* current dose \*\*at least 30 MME\/day\*\* \(an active order has an unknown dose\)/,
    );
    // With the unread orders gone, the dose is known and there is nothing to say.
    const complete = analyzeBundle(
      bundle(...syntheticPatient({ fills: [], pain: 'none' }), known) as never,
      parseIsoDate(AS_OF)!,
      'cdc-2022',
    );
    expect(dataGapCard(complete, ctx, { alone: true })).toBeUndefined();
  });
});
