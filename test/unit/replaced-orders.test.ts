/**
 * Orders replaced by an order being signed (priorPrescription): the replaced supply counts until the day before
 * the replacement starts, with a note; one that would only begin on or after that day does not count at all; a
 * replacement after the supply has run out changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { analyzeResources } from '../../src/analysis/analyze-bundle.ts';
import { parseIsoDate, type Day } from '../../src/domain/time/day.ts';
import type { Json } from '../../src/fhir/json-read.ts';
import { every, medicationRequest, tab } from '../builders/fhir-builders.ts';

const day = (iso: string): Day => parseIsoDate(iso)!;
const order = (id: string, authoredOn: string) =>
  medicationRequest({
    id,
    rxcui: '1049621',
    authoredOn,
    dosages: [{ dose: tab(1), timing: every(6, 'h') }],
    supply: { days: 30 },
  }) as unknown as Json;

const analyse = (resources: Json[], replaced?: ReadonlyMap<string, Day>) =>
  analyzeResources(resources, day('2026-01-15'), 'cdc-2022', replaced ? { replaced } : {});

describe('orders replaced by a signed order', () => {
  it('counts the replaced supply until the day before the replacement, and says so', () => {
    const result = analyse([order('prior', '2026-01-01')], new Map([['prior', day('2026-01-15')]]));
    const prior = result.mme.orders.find((o) => o.id === 'prior');
    expect(prior?.coverage?.end).toBe(day('2026-01-14'));
    expect(prior?.coverage?.note).toContain(
      'replaced from 2026-01-15 by the order being signed: counted until 2026-01-14',
    );
    expect(result.mme.totalMme).toBe(0);
    // Without the replacement the same order covers the 30 days from 2026-01-01.
    expect(analyse([order('prior', '2026-01-01')]).mme.orders[0]?.coverage?.end).toBe(day('2026-01-30'));
  });

  it('drops a replaced order that would only have started on or after the replacement', () => {
    const result = analyse(
      [order('prior', '2026-01-20'), order('other', '2026-01-01')],
      new Map([['prior', day('2026-01-15')]]),
    );
    expect(result.mme.orders.map((o) => o.id)).toEqual(['other']);
  });

  it('leaves an order whose supply ended before the replacement as it is', () => {
    const result = analyse([order('prior', '2025-11-01')], new Map([['prior', day('2026-01-15')]]));
    expect(result.mme.orders[0]?.coverage).toMatchObject({ end: day('2025-11-30') });
    expect(result.mme.orders[0]?.coverage?.note).toBeUndefined();
  });
});
