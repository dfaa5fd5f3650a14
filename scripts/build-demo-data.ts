/**
 * Writes the demo's synthetic patients (src/demo/data/demo-patients.json) from the synthetic population generator
 * (test/synthetic/population.ts), each with a made-up name: `npm run demo:build`. A test checks that the file is
 * what the generator gives today. Synthetic data only, dated relative to AS_OF (the demo moves it to today).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoPatientsFile } from '../test/synthetic/demo-population.ts';

const file = join(import.meta.dirname, '../src/demo/data/demo-patients.json');
const data = demoPatientsFile();
writeFileSync(file, `${JSON.stringify(data)}\n`);
process.stdout.write(`wrote ${data.patients.length} synthetic patients to ${file}\n`);
