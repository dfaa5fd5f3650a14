/**
 * Loads the FHIR profiles and the synthetic patients into a FHIR R4 server (docker-compose's seed step, or any
 * server of your own): FHIR_BASE_URL=http://localhost:8090/fhir node scripts/seed-fhir.ts
 * Waits up to SEED_WAIT_SECONDS (default 120) for the server to answer. Synthetic data only, with its dates moved
 * to today (as the demo's), so that the histories end now and the hooks answer with the cards they were made for.
 */
import type { Resource } from '@medplum/fhirtypes';
import { shiftDates } from '../src/demo/date-shift.ts';
import { parseIsoDate } from '../src/domain/time/day.ts';
import type { Json } from '../src/fhir/json-read.ts';
import { localDate, systemClock } from '../src/platform/clock.ts';
import { AS_OF } from '../test/fixtures/synthetic-patients.ts';
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
  const shift = (parseIsoDate(localDate(systemClock)) ?? 0) - (parseIsoDate(AS_OF) ?? 0);
  const population = syntheticPopulation().map((p) => ({
    ...p,
    resources: shiftDates(p.resources as unknown as Json[], shift) as unknown as Resource[],
  }));
  const resources = await loadPatients(base, population);
  process.stdout.write(
    `loaded ${conformance} conformance resources and ${population.length} synthetic patients (${resources} resources) into ${base}\n` +
      population.map((p) => `  Patient/${p.key}: ${p.title}\n`).join(''),
  );
} catch (error) {
  process.stderr.write(`seeding failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
