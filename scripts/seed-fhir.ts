/**
 * Loads the FHIR profiles and the synthetic patients into a FHIR R4 server (docker-compose's seed step, or any
 * server of your own): FHIR_BASE_URL=http://localhost:8090/fhir node scripts/seed-fhir.ts
 * Waits up to SEED_WAIT_SECONDS (default 120) for the server to answer. Synthetic data only.
 */
import { loadConformance, loadPatients, waitForFhir } from '../test/synthetic/load-into-fhir.ts';
import { syntheticPopulation } from '../test/synthetic/population.ts';

const base = (process.env.FHIR_BASE_URL ?? '').replace(/\/+$/, '');
if (!/^https?:\/\//.test(base)) {
  process.stderr.write(
    'FHIR_BASE_URL must be the base URL of a FHIR R4 server, e.g. http://localhost:8090/fhir\n',
  );
  process.exit(2);
}
try {
  await waitForFhir(base, Number(process.env.SEED_WAIT_SECONDS ?? '120') * 1000);
  const conformance = await loadConformance(base);
  const population = syntheticPopulation();
  const resources = await loadPatients(base, population);
  process.stdout.write(
    `loaded ${conformance} conformance resources and ${population.length} synthetic patients (${resources} resources) into ${base}\n` +
      population.map((p) => `  Patient/${p.key}: ${p.title}\n`).join(''),
  );
} catch (error) {
  process.stderr.write(`seeding failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
