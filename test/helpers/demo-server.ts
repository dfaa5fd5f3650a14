/**
 * The service in demo mode, listening on a loopback port of its own (the service reads the demo's FHIR store over
 * HTTP, as it would an EHR's), with the embedded store under a temporary directory for feedback and audit.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { devToken } from '../../src/security/dev-issuer.ts';
import { storeFromConfig } from '../../src/storage/open-store.ts';
import type { Store } from '../../src/storage/store.ts';
import { freePort } from './free-port.ts';

export interface DemoServer {
  readonly url: string;
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly dataDir: string;
  /** A token as an EHR (the demo page) signs it, for a path of this server. */
  token(path: string): Promise<string>;
  close(): Promise<void>;
}

export async function startDemoServer(env: Record<string, string> = {}): Promise<DemoServer> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'cds-demo-'));
  const config = loadConfig({
    DEMO: 'on',
    PORT: String(port),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const store = await storeFromConfig(config);
  const app = buildApp({ config, store });
  await app.listen({ port, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    app,
    store,
    dataDir,
    token: (path) => devToken(dataDir, `${url}${path}`),
    async close() {
      await app.close();
      await store.close();
    },
  };
}
