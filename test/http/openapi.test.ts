/** The OpenAPI description lists exactly the routes the app serves, and /docs shows them without external assets. */
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { openApiFor } from '../../src/http/openapi.ts';
import { embeddedDatabase } from '../helpers/stores.ts';
import { openStore } from '../../src/storage/store.ts';

describe('OpenAPI', () => {
  it.each([
    ['without', 'off'],
    ['with', 'on'],
  ])(
    'describes every route the app registers %s the demo, and nothing else',
    async (_label, demo) => {
      const store = await openStore(await embeddedDatabase().open());
      const app = buildApp({ config: loadConfig({ GOVERNANCE_TOKEN: 'g'.repeat(40), DEMO: demo }), store });
      await app.ready();
      await app.close();
      await store.close();
      const documented = new Set(
        Object.entries(openApiFor({ demo: demo === 'on' }).paths).flatMap(([path, ops]) =>
          Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
        ),
      );
      expect([...new Set(app.routeList)].sort()).toEqual([...documented].sort());
    },
    30_000,
  );

  it('serves the description and a page without scripts or external assets', async () => {
    const app = buildApp({ config: loadConfig({}) });
    const spec = await app.inject({ method: 'GET', url: '/docs/openapi.json' });
    expect(spec.json()).toMatchObject({ openapi: '3.1.0' });
    const page = await app.inject({ method: 'GET', url: '/docs' });
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('/cds-services/{id}/feedback');
    expect(page.body).not.toMatch(/<script|https?:\/\/(?!opioid)/);
    // Relative, so that the link works behind a reverse proxy's path prefix.
    expect(page.body).toContain('<a href="docs/openapi.json">');
    await app.close();
  });

  it("documents the demo's answers: 403 on every route to a request for another host, 404 for an unknown type", async () => {
    const app = buildApp({ config: loadConfig({ DEMO: 'on', CDS_AUTH: 'off' }) });
    const paths = openApiFor({ demo: true }).paths as Record<
      string,
      Record<string, { responses: Record<string, unknown> }>
    >;
    const demo = Object.entries(paths).filter(([path]) => path.startsWith('/demo'));
    expect(demo.length).toBeGreaterThan(5);
    for (const [path, ops] of demo) {
      const url = path.replace('{type}', 'Patient').replace('{id}', 'x');
      for (const [method, op] of Object.entries(ops)) {
        expect(Object.keys(op.responses), `${method} ${path}`).toContain('403');
        const res = await app.inject({
          method: method.toUpperCase() as 'GET',
          url,
          headers: { host: 'rebound.example.com' },
        });
        expect(res.statusCode, `${method} ${path}`).toBe(403);
      }
    }
    expect(Object.keys(paths['/demo/fhir/{type}']!.get!.responses)).toContain('404');
    expect((await app.inject({ method: 'GET', url: '/demo/fhir/Nothing' })).statusCode).toBe(404);
    await app.close();
  });
});
