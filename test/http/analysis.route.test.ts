import { describe, expect, it } from 'vitest';
import { bundle, every, medicationRequest, tab } from '../builders/fhir-builders.ts';
import { build } from '../helpers/build-app.ts';

const oxy = medicationRequest({
  id: 'oxy',
  rxcui: '1049621',
  authoredOn: '2026-01-10',
  dosages: [{ dose: tab(1), timing: every(1, 'd', 4) }],
});

describe('POST /analysis', () => {
  it('returns the analysis contract', async () => {
    const res = await build().inject({
      method: 'POST',
      url: '/analysis',
      payload: { bundle: bundle(oxy), asOf: '2026-01-15' },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      asOf: '2026-01-15',
      factorSet: 'cdc-2022',
      totalMme: 30,
      complete: true,
      longTermOpioidTherapy: false,
    });
    expect(body.orders).toEqual([
      expect.objectContaining({
        id: 'oxy',
        mme: 30,
        status: 'counted',
        method: 'sig',
        reasons: [],
        explanation: expect.stringContaining('30 MME/d'),
      }),
    ]);
    expect(body.orders[0].ingredients[0]).toMatchObject({ name: 'oxycodone', factor: 1.5, mme: 30 });
    expect(body.series).toHaveLength(180);
    expect(body.averages).toEqual({ last60Days: 3, last90Days: 2, complete: true });
  });

  it('defaults asOf to today and the factor set to cdc-2022', async () => {
    const res = await build().inject({ method: 'POST', url: '/analysis', payload: { bundle: bundle(oxy) } });
    expect(res.json()).toMatchObject({ asOf: '2026-01-15', factorSet: 'cdc-2022' });
  });

  it('honours factorSet cdc-2016 and DEFAULT_FACTOR_SET', async () => {
    const tramadol = medicationRequest({
      id: 't',
      rxcui: '836397',
      authoredOn: '2026-01-10',
      dosages: [{ dose: tab(1), timing: every(6, 'h') }],
    });
    const res = await build().inject({
      method: 'POST',
      url: '/analysis',
      payload: { bundle: bundle(tramadol), factorSet: 'cdc-2016' },
    });
    expect(res.json()).toMatchObject({
      factorSet: 'cdc-2016',
      complete: false,
      orders: [{ status: 'incomplete', mme: null }],
    });
    const viaEnv = await build({ DEFAULT_FACTOR_SET: 'cdc-2016' }).inject({
      method: 'POST',
      url: '/analysis',
      payload: { bundle: bundle(tramadol) },
    });
    expect(viaEnv.json().factorSet).toBe('cdc-2016');
  });

  it('accepts application/fhir+json', async () => {
    const res = await build().inject({
      method: 'POST',
      url: '/analysis',
      headers: { 'content-type': 'application/fhir+json' },
      payload: JSON.stringify({ bundle: bundle(oxy) }),
    });
    expect(res.statusCode).toBe(200);
  });

  it.each([
    ['malformed JSON', '{"bundle": ', /not valid JSON/],
    ['an array', '[]', /must be a JSON object/],
    ['a bare Bundle', JSON.stringify(bundle(oxy)), /wrap it/],
    ['no bundle', '{}', /bundle: is required/],
    ['not a Bundle', '{"bundle": {"resourceType": "Patient"}}', /bundle.resourceType: must be a FHIR Bundle/],
    [
      'entry not an array',
      '{"bundle": {"resourceType": "Bundle", "entry": {}}}',
      /bundle.entry: must be an array/,
    ],
    [
      'unknown factor set',
      '{"bundle": {"resourceType": "Bundle"}, "factorSet": "cdc-2019"}',
      /factorSet: must be one of cdc-2022, cdc-2016, research \(got "cdc-2019"\)/,
    ],
    [
      'impossible date',
      '{"bundle": {"resourceType": "Bundle"}, "asOf": "2026-02-30"}',
      /asOf: must be a calendar date YYYY-MM-DD from 1900 on \(got "2026-02-30"\)/,
    ],
    [
      'date with time',
      '{"bundle": {"resourceType": "Bundle"}, "asOf": "2026-01-15T10:00:00Z"}',
      /asOf: must be a calendar date/,
    ],
    [
      'misspelt field',
      '{"bundle": {"resourceType": "Bundle"}, "asof": "2026-01-15"}',
      /unknown field\(s\): asof/,
    ],
  ])('answers 400 naming the problem for %s', async (_, payload, message) => {
    const res = await build().inject({
      method: 'POST',
      url: '/analysis',
      headers: { 'content-type': 'application/json' },
      payload,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      statusCode: 400,
      error: 'Bad Request',
      message: expect.stringMatching(message),
    });
  });

  it('answers 415 for another content type and 413 over the body limit', async () => {
    const text = await build().inject({
      method: 'POST',
      url: '/analysis',
      headers: { 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expect(text.statusCode).toBe(415);
    // JSON declared in a charset other than UTF-8 would be misread: refused, not parsed - unless it is plain
    // ASCII, which reads the same in the charsets some clients declare by default.
    const ascii = JSON.stringify({ bundle: bundle(oxy) });
    const accented = JSON.stringify({ bundle: bundle({ ...oxy, note: [{ text: 'Réévaluer' }] }) });
    for (const [charset, text, status] of [
      ['utf-16', ascii, 415],
      ['latin1', accented, 415],
      ['"ISO-8859-1"', accented, 415],
      ['latin1', ascii, 200],
      ['us-ascii', ascii, 200],
      ['utf-8', accented, 200],
      ['UTF8', ascii, 200],
      ['"utf-8"', ascii, 200],
    ] as const) {
      const declared = await build().inject({
        method: 'POST',
        url: '/analysis',
        headers: { 'content-type': `application/json; charset=${charset}` },
        payload: text,
      });
      expect(declared.statusCode, charset).toBe(status);
      if (status === 415) expect(declared.json().message).toMatch(/send UTF-8 JSON/);
    }
    const big = await build({ BODY_LIMIT_BYTES: '100' }).inject({
      method: 'POST',
      url: '/analysis',
      payload: { bundle: bundle(oxy) },
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().message).toMatch(/larger than this service accepts/);
  });

  it('reports unreadable resources in reasons with a 200, not a 500', async () => {
    const payload = {
      bundle: {
        resourceType: 'Bundle',
        entry: [
          null,
          'x',
          {
            resource: {
              resourceType: 'MedicationRequest',
              status: 7,
              dosageInstruction: [{ timing: 'daily' }],
              medicationCodeableConcept: { text: 'morphine' },
            },
          },
        ],
      },
    };
    const res = await build().inject({ method: 'POST', url: '/analysis', payload });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.reasons).toHaveLength(2);
    expect(body.orders[0]).toMatchObject({ status: 'incomplete', mme: null });
    expect(body.orders[0].reasons).toContain('the order has no status');
  });

  it('answers 404 for unknown routes and 200 on /healthz', async () => {
    const app = build();
    expect((await app.inject({ method: 'GET', url: '/nowhere' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
  });
});

describe('configuration', () => {
  it('lists every invalid variable', async () => {
    const { loadConfig } = await import('../../src/config/load-config.ts');
    expect(() => loadConfig({ PORT: 'eighty', DEFAULT_FACTOR_SET: 'cdc-1999' })).toThrow(
      /PORT[\s\S]*DEFAULT_FACTOR_SET/,
    );
  });
});

describe('odd requests', () => {
  /** Posts a JSON text as it is (not re-serialised). */
  const postText = (payload: string) =>
    build().inject({
      method: 'POST',
      url: '/analysis',
      headers: { 'content-type': 'application/json' },
      payload,
    });

  it.each([
    ['as it is', '{"__proto__": {"x": 1}, "bundle": {"resourceType": "Bundle"}}'],
    ['with escapes', '{"\\u005f\\u005fproto__": {"x": 1}, "bundle": {"resourceType": "Bundle"}}'],
    ['as a nested constructor.prototype', '{"bundle": {"constructor": {"prototype": {"x": 1}}}}'],
    ['as an escaped constructor.prototype', '{"bundle": {"constructo\\u0072": {"prototype": {"x": 1}}}}'],
    [
      'as a constructor.prototype with white space before the colon',
      '{"bundle": {"constructor" \r\n\t : {"prototype": {"x": 1}}}}',
    ],
  ])(
    'names a prototype-poisoning key written %s instead of calling the JSON invalid',
    async (_kind, payload) => {
      const res = await postText(payload);
      expect(res.statusCode).toBe(400);
      expect(res.json().message).toMatch(/forbidden "__proto__"/);
    },
  );

  it('reads a body with a byte-order mark, a harmless "constructor" key or other escapes', async () => {
    const bundle = { resourceType: 'Bundle', type: 'collection', entry: [] };
    for (const payload of [
      `\ufeff${JSON.stringify({ bundle, asOf: '2026-01-15' })}`,
      JSON.stringify({ bundle: { ...bundle, meta: { constructor: 'x' } }, asOf: '2026-01-15' }),
      JSON.stringify({ bundle: { ...bundle, id: 'caf\u00e9' }, asOf: '2026-01-15' }).replace('é', '\\u00e9'),
    ]) {
      const res = await postText(payload);
      expect(res.statusCode, payload).toBe(200);
    }
  });

  it('refuses a body with two byte-order marks, whatever it holds', async () => {
    const bundle = { resourceType: 'Bundle', type: 'collection', entry: [] };
    for (const meta of [{}, { constructor: 'x' }]) {
      const res = await postText(
        `\ufeff\ufeff${JSON.stringify({ bundle: { ...bundle, meta }, asOf: '2026-01-15' })}`,
      );
      expect(res.statusCode).toBe(400);
      expect(res.json().message).toBe('the request body is not valid JSON');
    }
  });

  it('answers 415 for a compressed body', async () => {
    const res = await build().inject({
      method: 'POST',
      url: '/analysis',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      payload: '{}',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json().message).toMatch(/Content-Encoding "gzip" is not supported/);
  });

  it('refuses an asOf before 1900', async () => {
    const res = await build().inject({
      method: 'POST',
      url: '/analysis',
      payload: { bundle: { resourceType: 'Bundle' }, asOf: '0000-03-01' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/asOf: must be a calendar date YYYY-MM-DD from 1900 on/);
  });
});
