/**
 * The browser pages (src/web): the demo EHR page (/demo) and the MME trend app (/trend), with everything they load
 * served by the service itself - no CDN, works offline. Browser code is TypeScript like the rest: served with its
 * types stripped (amaro, the stripper Node.js itself uses), so the trend app runs the same clinical core
 * (src/domain, src/fhir, src/analysis) in the browser as the service does on the server. Only the modules the pages
 * import, transitively, and the pages' own files are served; nothing else under src/ is reachable.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'amaro';
import type { FastifyInstance } from 'fastify';
import { DEMO_FHIR_PATH, type Config } from '../../config/load-config.ts';
import { allowedBase } from '../../fhir/allowed-base.ts';
import { badRequest } from '../http-error.ts';
import { localDate, type Clock } from '../../platform/clock.ts';

const SRC = fileURLToPath(new URL('../../', import.meta.url));
/** The pages: URL path -> HTML file under src/. `/` is what a card's source label links to (`source.url`). */
const PAGES: Record<string, string> = {
  '/': 'web/about/index.html',
  '/demo': 'web/demo/index.html',
  '/trend': 'web/trend/index.html',
};
/** The pages' scripts (paths relative to src/). */
export const ENTRY_MODULES = ['web/demo/demo.ts', 'web/trend/trend.ts'];
const STYLES = ['web/shared/style.css'];
/** The longest `iss` the trend app's settings accept. */
const MAX_ISS_LENGTH = 2048;
/** Prefix of every asset URL: /app/<path under src>. */
export const ASSET_PREFIX = '/app/';

const TYPES: Record<string, string> = {
  '.ts': 'text/javascript; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

/**
 * Pages may load only the service's own files; they call the service, the demo store, and (the trend app, launched
 * from an EHR) the EHR's FHIR and authorization servers, wherever those are.
 */
function csp(frameAncestors: readonly string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self' https: http:",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${["'self'", ...frameAncestors].join(' ')}`,
    "object-src 'none'",
  ].join('; ');
}

const IMPORT = /(?:^|[;\s])(?:import|export)\s(?:[^'";]*?\sfrom\s)?['"](\.{1,2}\/[^'"]+)['"]/g;

/**
 * Every module reachable from the entries by relative imports (paths relative to src/). A scan of the text, not a
 * parse: it does not see dynamic `import()` and would follow an import quoted in a comment, so a test compares its
 * answer for the pages with the TypeScript compiler's reading of the same files (and that none import a package).
 */
export function moduleClosure(entries: readonly string[], root = SRC): string[] {
  const seen = new Set<string>();
  const visit = (path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    if (!path.endsWith('.ts')) return;
    const text = readFileSync(join(root, path), 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const target = normalize(join(dirname(path), m[1] ?? ''));
      if (target.startsWith('..')) throw new Error(`${path} imports ${m[1] ?? ''}, outside src/`);
      visit(target);
    }
  };
  for (const e of entries) visit(e);
  return [...seen].sort();
}

interface Asset {
  readonly type: string;
  readonly body: string;
}

function extension(path: string): string {
  const dot = path.lastIndexOf('.');
  return dot < 0 ? '' : path.slice(dot);
}

/** `demo`: also the demo EHR page (the trend app is always served: EHRs launch it). */
export function webRoutes(app: FastifyInstance, config: Config, clock: Clock): void {
  const options = { demo: config.demo };
  // What the trend app needs to compute as the service does and to accept a launch.
  const trendConfig = {
    clientId: config.smartClientId,
    factorSet: config.defaultFactorSet,
    windowDays: config.trendRules.windowDays,
    ...(config.demo ? { demoFhirServer: `${config.publicBaseUrl}${DEMO_FHIR_PATH}` } : {}),
  };
  // `today` is the service's (its TZ), so that the page computes for the day the cards were computed for, whatever
  // the browser's time zone. The FHIR servers the app may be launched from are not listed to whoever asks: given
  // a launch's `iss`, the answer says which allow-listed base it names (`launchFrom`), or null.
  app.get<{ Querystring: { iss?: unknown } }>('/trend/config.json', (request, reply) => {
    const { iss } = request.query;
    if (iss !== undefined && (typeof iss !== 'string' || iss.length > MAX_ISS_LENGTH))
      throw badRequest(`iss: one FHIR base URL of at most ${MAX_ISS_LENGTH} characters`);
    void reply.header('cache-control', 'no-store');
    return {
      ...trendConfig,
      today: localDate(clock),
      ...(iss === undefined ? {} : { launchFrom: allowedBase(iss, config.fhir.allowedBaseUrls) ?? null }),
    };
  });
  // Browsers ask for it on every page: no icon, and no 404 in their consoles.
  app.get('/favicon.ico', (_request, reply) => reply.status(204).send());
  const allowed = new Set([...moduleClosure(ENTRY_MODULES), ...STYLES]);
  const cache = new Map<string, Asset>();
  const load = (path: string): Asset => {
    let asset = cache.get(path);
    if (!asset) {
      const text = readFileSync(join(SRC, path), 'utf8');
      const ext = extension(path);
      const body = ext === '.ts' ? transformSync(text, { mode: 'strip-only' }).code : text;
      asset = { type: TYPES[ext] ?? 'application/octet-stream', body };
      cache.set(path, asset);
    }
    return asset;
  };
  // EHRs that show the trend app in their own page may frame it (TREND_FRAME_ANCESTORS); no other site may frame
  // the demo page.
  const trendPolicy = csp(config.trendFrameAncestors);
  const pagePolicy = csp([]);
  for (const [url, file] of Object.entries(PAGES)) {
    if (url === '/demo' && !options.demo) continue;
    const policy = url === '/trend' ? trendPolicy : pagePolicy;
    app.get(url, (_request, reply) => {
      const page = load(file);
      return reply
        .type(page.type)
        .header('content-security-policy', policy)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .header('cache-control', 'no-cache')
        .send(page.body);
    });
  }
  app.get<{ Params: { '*': string } }>(`${ASSET_PREFIX}*`, (request, reply) => {
    const path = normalize(request.params['*']);
    if (!allowed.has(path) || relative(SRC, join(SRC, path)).startsWith('..'))
      return reply.status(404).send({ statusCode: 404, error: 'Not Found', message: 'no such file' });
    const asset = load(path);
    return reply
      .type(asset.type)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-cache')
      .send(asset.body);
  });
}
