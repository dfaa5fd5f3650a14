/**
 * Regenerates the project's reference data from the public sources it was built from:
 *   - the OMTK opioid drug-ingredient table of the CDC Opioid Prescribing Guideline CDS IG (RxNorm as of 2020-10-20)
 *   - the CDC opioid CDS IG 2022.1.0 value-set expansions
 * Usage: npm run data:build [-- <reference-dir>]   (default: ../shared/reference next to the repository)
 * The output is committed; the service never reads the sources at run time.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const sourceDir = resolve(process.argv[2] ?? join(root, '..', 'shared', 'reference'));

function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

interface ValueSetJson {
  id: string;
  url: string;
  title?: string;
  date?: string;
  expansion: { timestamp?: string; contains: { system: string; code: string; display?: string }[] };
}

function readValueSet(id: string): ValueSetJson {
  return JSON.parse(
    readFileSync(join(sourceDir, 'cdc-opioid-cds-valuesets', `${id}.json`), 'utf8'),
  ) as ValueSetJson;
}

// ---- Product table -------------------------------------------------------------------------------------------
const csvFile = 'omtk-opioid-drug-ingredients-2020-10-20.csv';
const lines = readFileSync(join(sourceDir, csvFile), 'utf8').trim().split(/\r?\n/);
const header = parseCsvLine(lines[0]!);
const col = (name: string): number => {
  const i = header.indexOf(name);
  if (i < 0) throw new Error(`column ${name} missing from ${csvFile}`);
  return i;
};
const [cCode, cName, cForm, cIng, cIngName, cValue, cUnit] = [
  col('drugCode'),
  col('drugName'),
  col('doseFormName'),
  col('ingredientCode'),
  col('ingredientName'),
  col('strengthValue'),
  col('strengthUnit'),
];
const tableRows = lines.slice(1).map((line) => {
  const f = parseCsvLine(line);
  const value = Number(f[cValue]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`bad strength in row: ${line}`);
  return [f[cCode]!, f[cName]!, f[cForm]!, f[cIng]!, f[cIngName]!.toLowerCase(), value, f[cUnit]!];
});
const tableCodes = new Set(tableRows.map((r) => r[0]));

const products = {
  provenance: {
    description:
      'Opioid products (RxNorm SCD/SBD/GPCK/BPCK) with their opioid ingredients, dose form and strength per unit.',
    source:
      'OMTKData library of the CDC Opioid Prescribing Guideline CDS Implementation Guide (cqframework/opioid-cds-r4), generated from NLM RxNav',
    sourceFile: csvFile,
    rxnormVersion: '2020-10-20',
    license: 'CC0-1.0; uses NLM RxNorm data',
    caveat:
      'Frozen at 2020-10-20: newer RxCUIs are missing. The engine falls back to the RxNorm normalized name for them.',
  },
  columns: [
    'rxcui',
    'name',
    'doseForm',
    'ingredientRxcui',
    'ingredientName',
    'strengthValue',
    'strengthUnit',
  ],
  rows: tableRows,
};
writeFileSync(
  join(root, 'src/domain/opioid/data/rxnorm-opioid-products.json'),
  JSON.stringify(products, null, 0).replace(/\],\[/g, '],\n[') + '\n',
);

// ---- Opioid product names not in the table (from the newer value-set expansions) ------------------------------
const opioidSets = [
  'opioid-analgesics-with-ambulatory-misuse-potential',
  'buprenorphine-and-methadone-medications',
];
const extraNames: Record<string, string> = {};
for (const id of opioidSets) {
  for (const c of readValueSet(id).expansion.contains) {
    if (!tableCodes.has(c.code) && c.display) extraNames[c.code] = c.display;
  }
}
const names = {
  provenance: {
    description:
      'RxNorm opioid products that the 2020 product table lacks, with their RxNorm normalized names (strength is parsed from the name).',
    source: 'CDC Opioid Prescribing Guideline CDS IG 2022.1.0 value-set expansions',
    valueSets: opioidSets.map((id) => {
      const vs = readValueSet(id);
      return { id, url: vs.url, expansion: vs.expansion.timestamp ?? vs.date ?? null };
    }),
    license: 'CC0-1.0; uses NLM RxNorm data',
  },
  names: Object.fromEntries(Object.entries(extraNames).sort(([a], [b]) => Number(a) - Number(b))),
};
writeFileSync(
  join(root, 'src/domain/opioid/data/rxnorm-opioid-names.json'),
  JSON.stringify(names, null, 1) + '\n',
);

console.log(`products: ${tableRows.length} rows; extra names: ${Object.keys(extraNames).length}`);
