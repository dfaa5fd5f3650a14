/**
 * The OpenAPI 3.1 description of every endpoint, served at /docs/openapi.json (and as a page at /docs). A test
 * checks that it lists exactly the routes the app registers.
 */
const bearer = [{ ehrJwt: [] }];
const problem = {
  description: 'Problem',
  content: {
    'application/json': {
      schema: {
        type: 'object',
        properties: {
          statusCode: { type: 'integer' },
          error: { type: 'string' },
          message: { type: 'string' },
        },
      },
    },
  },
};
const unauthorized = { description: 'No valid EHR token (no detail is given)' };
const json = (
  description: string,
  schema: Record<string, unknown> = { type: 'object' },
): { description: string; content: Record<string, { schema: Record<string, unknown> }> } => ({
  description,
  content: { 'application/json': { schema } },
});

export const OPENAPI = {
  openapi: '3.1.0',
  info: {
    title: 'opioid-pain-cds',
    version: '0.1.0',
    description:
      'CDS Hooks 2.0 service: opioid dose in MME with its trend, risk signals, and referral to MORE, mindfulness-based therapy or CBT. Clinical rules and sources: docs/referral-rules.md. Any operation may also answer, in the same problem shape: 405 with Allow (another method), 408 (the request did not arrive within REQUEST_TIMEOUT_MS), 413 (body too large), 415 (another content type or encoding), 431 (headers too large).',
  },
  components: {
    securitySchemes: {
      ehrJwt: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description:
          'CDS Hooks 2.0: signed by a trusted EHR (ES/RS 256-512), aud = the URL called, 5 minutes, single-use jti.',
      },
      governanceToken: { type: 'http', scheme: 'bearer', description: 'GOVERNANCE_TOKEN' },
    },
  },
  paths: {
    '/cds-services': {
      get: {
        summary: 'CDS Hooks discovery',
        security: bearer,
        responses: {
          200: json('The services, their hooks and prefetch templates'),
          401: unauthorized,
          503: problem,
        },
      },
    },
    '/cds-services/{id}': {
      post: {
        summary: 'Call a CDS service (patient-view, order-select, order-sign)',
        security: bearer,
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        requestBody: json(
          'CDS Hooks request: hook, hookInstance, context, fhirServer, fhirAuthorization, prefetch',
          {
            type: 'object',
            required: ['hook', 'hookInstance', 'context'],
          },
        ),
        responses: {
          200: json('Cards ({"cards": []} when there is nothing to say)'),
          400: problem,
          401: unauthorized,
          404: problem,
          412: json('Required data could be neither found in prefetch nor fetched'),
          503: problem,
        },
      },
    },
    '/cds-services/{id}/feedback': {
      post: {
        summary: 'CDS Hooks feedback: stored durably and once, acknowledged after commit',
        security: bearer,
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        requestBody: json(
          '{"feedback": [{card, outcome, acceptedSuggestions, overrideReason(s), outcomeTimestamp}]}',
        ),
        responses: { 200: json('Stored'), 400: problem, 401: unauthorized, 404: problem, 503: problem },
      },
    },
    '/analysis': {
      post: {
        summary:
          'Analysis of a FHIR R4 Bundle: MME, series, trend, flags, referral decision (docs/analysis-api.md)',
        security: bearer,
        requestBody: json('{"bundle": Bundle, "asOf": "YYYY-MM-DD", "factorSet": "cdc-2022"}'),
        responses: { 200: json('The analysis'), 400: problem, 401: unauthorized, 503: problem },
      },
    },
    '/healthz': { get: { summary: 'Liveness', responses: { 200: json('Up') } } },
    '/readyz': {
      get: {
        summary: 'Readiness: the store answers, and the replay cache when EHR authentication is on',
        responses: { 200: json('Ready'), 503: json('Not ready') },
      },
    },
    '/metrics': {
      get: {
        summary: 'Prometheus metrics (no patient data)',
        responses: { 200: { description: 'Prometheus text format', content: { 'text/plain': {} } } },
      },
    },
    '/governance/feedback': {
      get: {
        summary:
          'Acceptance and override rates per card type and override reason (when GOVERNANCE_TOKEN is set)',
        security: [{ governanceToken: [] }],
        responses: { 200: json('Rates per card type'), 401: unauthorized, 503: problem },
      },
    },
    '/': {
      get: {
        summary: "What the cards are and what they rest on: the page a card's source label links to",
        responses: { 200: { description: 'HTML' } },
      },
    },
    '/docs': { get: { summary: 'This description, as a page', responses: { 200: { description: 'HTML' } } } },
    '/docs/openapi.json': { get: { summary: 'This description', responses: { 200: json('OpenAPI 3.1') } } },
    '/trend': {
      get: {
        summary:
          'The MME trend app (SMART on FHIR: EHR launch with iss and launch, standalone launch with iss; in the demo, ?patient=)',
        responses: { 200: { description: 'HTML' } },
      },
    },
    '/trend/config.json': {
      get: {
        summary:
          "The trend app's settings: SMART client id, factor set, window, the service's date; with ?iss=, the allow-listed FHIR base that iss names (launchFrom), or null",
        parameters: [
          {
            name: 'iss',
            in: 'query',
            required: false,
            description: "A launch's FHIR base URL",
            schema: { type: 'string', maxLength: 2048 },
          },
        ],
        responses: { 200: json('Settings'), 400: problem },
      },
    },
    '/app/{path}': {
      get: {
        summary:
          "The pages' scripts and styles (only the modules they import; TypeScript served with types stripped)",
        responses: { 200: { description: 'JavaScript, JSON or CSS' }, 404: problem },
      },
    },
    '/favicon.ico': { get: { summary: 'No icon (204)', responses: { 204: { description: 'No content' } } } },
  },
} as const;

const fhirJson = (description: string): { description: string; content: Record<string, object> } => ({
  description,
  content: { 'application/fhir+json': {} },
});

/** Every demo route refuses a request addressed to another host (DNS rebinding): a problem, under /demo/fhir an OperationOutcome. */
const HOST_REFUSED = {
  description: 'The request is not addressed to this machine or to PUBLIC_BASE_URL (Host header)',
};

/** The demo's endpoints (DEMO=on, npm start): synthetic patients only. */
export const DEMO_PATHS = {
  '/demo': {
    get: { summary: 'The demo EHR page', responses: { 200: { description: 'HTML' }, 403: HOST_REFUSED } },
  },
  '/demo/api/session': {
    get: {
      summary:
        "What the demo page needs: the demo FHIR store's URL and the development key it signs hook calls with",
      responses: { 200: json('Session'), 403: HOST_REFUSED },
    },
  },
  '/demo/api/patients': {
    get: {
      summary: 'The synthetic patients: name, age, pain conditions, current MME/day',
      responses: { 200: json('Patients', { type: 'array' }), 403: HOST_REFUSED },
    },
  },
  '/demo/api/order-options': {
    get: {
      summary: "The products the demo's order form offers",
      responses: { 200: json('Products', { type: 'array' }), 403: HOST_REFUSED },
    },
  },
  '/demo/fhir/metadata': {
    get: {
      summary: "The demo FHIR store's CapabilityStatement",
      responses: { 200: fhirJson('CapabilityStatement'), 403: HOST_REFUSED },
    },
  },
  '/demo/fhir/{type}/{id}': {
    get: {
      summary: 'Read a resource of the demo FHIR store',
      responses: { 200: fhirJson('The resource'), 404: fhirJson('OperationOutcome'), 403: HOST_REFUSED },
    },
  },
  '/demo/fhir/{type}': {
    get: {
      summary:
        'Search the demo FHIR store (patient/subject, _id, _count, _sort by date, _include of medications)',
      responses: {
        200: fhirJson('searchset Bundle'),
        400: fhirJson('OperationOutcome'),
        403: HOST_REFUSED,
        404: fhirJson('OperationOutcome: a resource type the store does not hold'),
      },
    },
    post: {
      summary: 'Create a ServiceRequest in the demo FHIR store (an accepted referral)',
      responses: {
        201: fhirJson('The resource'),
        400: fhirJson('OperationOutcome'),
        405: fhirJson('OperationOutcome'),
        403: HOST_REFUSED,
      },
    },
  },
} as const;

/** The description of what this configuration serves. */
export function openApiFor(options: { readonly demo: boolean }): typeof OPENAPI {
  return options.demo ? { ...OPENAPI, paths: { ...OPENAPI.paths, ...DEMO_PATHS } } : OPENAPI;
}

const escape = (text: string): string =>
  text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);

/** A plain page listing the operations (no scripts, no external assets). */
export function docsPage(spec: typeof OPENAPI = OPENAPI): string {
  const rows = Object.entries(spec.paths).flatMap(([path, ops]) =>
    Object.entries(ops as Record<string, { summary: string }>).map(
      ([method, op]) =>
        `<tr><td><code>${method.toUpperCase()}</code></td><td><code>${escape(path)}</code></td><td>${escape(op.summary)}</td></tr>`,
    ),
  );
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>opioid-pain-cds API</title>
<style>body{font:16px/1.5 system-ui,sans-serif;margin:2rem;max-width:70rem;color:#111}td,th{padding:.3rem .6rem;border-bottom:1px solid #ccc;text-align:left;vertical-align:top}</style></head>
<body><h1>opioid-pain-cds API</h1><p>${escape(OPENAPI.info.description)}</p>
<p>Machine-readable: <a href="docs/openapi.json">OpenAPI 3.1</a>.</p>
<table><thead><tr><th scope="col">Method</th><th scope="col">Path</th><th scope="col">What</th></tr></thead><tbody>${rows.join('')}</tbody></table></body></html>`;
}
