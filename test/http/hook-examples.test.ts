/** The README's examples give the cards it shows, and the committed examples/ are valid hook requests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HookRequestSchema } from '../../src/cds-services/hook-request.schema.ts';
import { AS_OF } from '../fixtures/synthetic-patients.ts';
import { exampleNames, exampleRequest } from '../fixtures/hook-examples.ts';
import { build } from '../helpers/build-app.ts';
import { expectCdsHooksResponse } from '../helpers/cds-contract.ts';

const EXPECTED: Record<string, [string, string][]> = {
  'patient-view-misuse': [
    ['info', 'Offer MORE (Mindfulness-Oriented Recovery Enhancement): 2 opioid misuse signals'],
  ],
  'patient-view-chronic-pain': [
    ['info', 'Offer mindfulness-based therapy or CBT for chronic pain on opioids (equal options)'],
  ],
  'order-sign-past-90': [
    ['warning', 'This order brings the total from 60 to 120 MME/day (crosses 90)'],
    ['warning', 'Offer naloxone: overdose risk (120 MME/day) and no naloxone prescribed in 12 months'],
    ['info', 'Offer mindfulness-based therapy or CBT for chronic pain on opioids (equal options)'],
  ],
};

describe('hook examples', () => {
  it.each(exampleNames())('%s gives the cards the README shows', async (name) => {
    const example = exampleRequest(name, AS_OF);
    const res = await build().inject({
      method: 'POST',
      url: `/cds-services/${example.service}`,
      payload: example.request,
    });
    expect(res.statusCode).toBe(200);
    const cards = expectCdsHooksResponse(res.json());
    expect(cards.map((c) => [c.indicator, c.summary])).toEqual(EXPECTED[name]);
  });

  it.each(exampleNames())('examples/%s.json is a valid hook request', (name) => {
    const json: unknown = JSON.parse(
      readFileSync(join(import.meta.dirname, '../../examples', `${name}.json`), 'utf8'),
    );
    expect(HookRequestSchema.safeParse(json).success).toBe(true);
  });

  it('moves every date of an example together', () => {
    const a = JSON.stringify(exampleRequest('patient-view-chronic-pain', AS_OF).request);
    const b = JSON.stringify(exampleRequest('patient-view-chronic-pain', '2026-01-25').request);
    // The last monthly fill starts 2025-12-17 for an as-of of 2026-01-15; ten days later, everything is ten days later.
    expect(a).toContain('"authoredOn":"2025-12-17"');
    expect(b).toContain('"authoredOn":"2025-12-27"');
    expect(b).not.toContain('"authoredOn":"2025-12-17"');
  });
});
