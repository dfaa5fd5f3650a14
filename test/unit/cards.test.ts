/** Card rendering is pure: the same analysis always gives the same cards, ids apart. */
import { describe, expect, it } from 'vitest';
import { analyzeBundle } from '../../src/analysis/analyze-bundle.ts';
import type { CardContext } from '../../src/cards/card.types.ts';
import { referralCard } from '../../src/cards/referral-card.ts';
import { safetyCards } from '../../src/cards/safety-cards.ts';
import { summary, trendLink } from '../../src/cards/card-common.ts';
import { parseIsoDate } from '../../src/domain/time/day.ts';
import { bundle } from '../builders/fhir-builders.ts';
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
});
