/**
 * Prints an example CDS Hooks request with its dates moved to today, for curl:
 *   npm run -s example -- patient-view-misuse | curl -s localhost:8080/cds-services/opioid-pain-patient-view \
 *     -H 'content-type: application/json' -d @-
 * With --write, (re)writes examples/<name>.json for every example.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { localDate, systemClock } from '../src/platform/clock.ts';
import { exampleNames, exampleRequest } from '../test/fixtures/hook-examples.ts';

const today = localDate(systemClock);
const [arg] = process.argv.slice(2);
if (arg === '--write') {
  for (const name of exampleNames()) {
    const { request } = exampleRequest(name, today);
    writeFileSync(
      join(import.meta.dirname, '..', 'examples', `${name}.json`),
      `${JSON.stringify(request, null, 2)}\n`,
    );
  }
  console.log(`wrote ${exampleNames().length} examples dated ${today}`);
} else if (arg && exampleNames().includes(arg)) {
  console.log(JSON.stringify(exampleRequest(arg, today).request));
} else {
  console.error(`usage: example <${exampleNames().join('|')}> | --write`);
  process.exitCode = 2;
}
