/**
 * Vitest global set-up of the integration project: one real FHIR server for the run (fhir-server.ts), loaded with
 * the project's profiles and the synthetic population. Tests receive its base URL through `inject`, and can stop
 * it (the outage test) through a loopback control endpoint, since they run in other processes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestProject } from 'vitest/node';
import { loadConformance, loadPatients } from '../../synthetic/load-into-fhir.ts';
import { syntheticPopulation } from '../../synthetic/population.ts';
import { startFhirServer } from './fhir-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    fhirBaseUrl: string;
    fhirServerKind: string;
    /** POST here to stop the FHIR server; answers 200 when stopped, 409 when it is not ours to stop. */
    fhirStopUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startFhirServer();
  try {
    const loadStarted = Date.now();
    const conformance = await loadConformance(server.baseUrl);
    const population = syntheticPopulation();
    const resources = await loadPatients(server.baseUrl, population);
    process.stderr.write(
      `[fhir-server] ${server.kind} at ${server.baseUrl}: loaded ${conformance} conformance resources and ` +
        `${population.length} patients (${resources} resources) in ${((Date.now() - loadStarted) / 1000).toFixed(1)} s\n`,
    );
  } catch (error) {
    await server.stop();
    throw error;
  }
  let stopped = false;
  const control: Server = createServer((req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    server.stop().then(
      (done) => {
        stopped ||= done;
        res.writeHead(done ? 200 : 409).end();
      },
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
  const { port } = control.address() as AddressInfo;
  project.provide('fhirBaseUrl', server.baseUrl);
  project.provide('fhirServerKind', server.kind);
  project.provide('fhirStopUrl', `http://127.0.0.1:${port}/stop`);
  return async () => {
    await new Promise((resolve) => control.close(resolve));
    if (!stopped) await server.stop();
  };
}
