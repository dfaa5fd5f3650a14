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
// Every opioid medication set: an order coded by RxCUI alone (no display) is known only through these (the
// buprenorphine set holds the weekly and monthly injections, the fentanyl-type set the injectables).
const opioidSets = [
  'opioid-analgesics-with-ambulatory-misuse-potential',
  'buprenorphine-and-methadone-medications',
  'buprenorphine-medications',
  'methadone-medications',
  'fentanyl-type-medications',
  'non-synthetic-opioid-medications',
  'synthetic-opioid-medications',
  'oxycodone-medications',
  'extended-release-opioid-with-ambulatory-misuse-potential',
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

// ---- Value sets the risk rules use -----------------------------------------------------------------------------
/** Code systems by short key; codes are stored without dots for ICD-10-CM (matched by prefix ancestry). */
const SYSTEM_KEYS: Record<string, string> = {
  'http://www.nlm.nih.gov/research/umls/rxnorm': 'rxnorm',
  'http://loinc.org': 'loinc',
  'http://snomed.info/sct': 'snomed',
  'http://hl7.org/fhir/sid/icd-10-cm': 'icd10cm',
};
const CARRIED_VALUE_SETS = [
  // medications
  'opioid-analgesics-with-ambulatory-misuse-potential',
  'benzodiazepine-medications',
  'naloxone-medications',
  'buprenorphine-and-methadone-medications',
  'amphetamines-class-medications',
  // urine drug screens by substance
  'general-opiate-urine-drug-screening-tests',
  'opiate-specific-urine-drug-screening-tests',
  'oxycodone-urine-drug-screening-tests',
  'fentanyl-type-urine-drug-screening-tests',
  'buprenorphine-urine-drug-screening-tests',
  'methadone-urine-drug-screening-tests',
  'synthetic-opioid-urine-drug-screening-tests',
  'heroin-urine-drug-screening-tests',
  'cocaine-urine-drug-screening-tests',
  'amphetamine-urine-drug-screening-tests',
  'phencyclidine-urine-drug-screening-tests',
  'benzodiazepine-urine-drug-screening-tests',
  // conditions and care settings
  'cdc-malignant-cancer-conditions',
  'conditions-likely-terminal-for-opioid-prescribing',
  'limited-life-expectancy-conditions',
  'hospice-finding',
  'hospice-procedure',
  'therapies-indicating-end-of-life-care',
  'valueset-hospice-disposition',
  'sickle-cell-diseases',
  'opioid-misuse-disorders',
];

/** Base ingredient names of the single-ingredient products of a medication value set ("alprazolam"). */
function singleIngredientNames(contains: { display?: string }[]): string[] {
  const names = new Set<string>();
  for (const c of contains) {
    const display = (c.display ?? '').replace(/ \[[^\]]*\]$/, '');
    if (!display || display.startsWith('{') || display.includes(' / ')) continue;
    const bare = display
      .replace(/^(Abuse-Deterrent |Matrix Delivery )/, '')
      .replace(/^\d+(\.\d+)? (HR|DAY|ML|ACTUAT) /, '');
    const first = bare.split(' ')[0]?.toLowerCase();
    if (first && /^[a-z-]+$/.test(first)) names.add(first);
  }
  return [...names].sort();
}

/** Brand names in brackets ("[Narcan]"), lower-cased, without trailing strengths. */
function brandNames(contains: { display?: string }[]): string[] {
  const brands = new Set<string>();
  for (const c of contains) {
    const brand = /\[([^\]]+)\]\s*$/
      .exec(c.display ?? '')?.[1]
      ?.replace(/\s+\d.*$/, '')
      .trim()
      .toLowerCase();
    if (brand && brand.length >= 4) brands.add(brand);
  }
  return [...brands].sort();
}

/**
 * OUD severity from SNOMED displays (ICD-10-CM severity is read from the code: F11.1 mild, F11.2 moderate/severe).
 * The CDC list also holds opioid poisonings and overdoses: those are overdose history, not a use disorder.
 */
function snomedOudSeverity(display: string): string {
  const d = display.toLowerCase();
  if (/poisoning|overdose/.test(d)) return 'overdose';
  if (/dependence|severe|moderate/.test(d)) return 'moderate-severe';
  if (/abuse|mild/.test(d)) return 'mild';
  return 'unspecified';
}

const valueSets: Record<string, unknown> = {};
const oudSeverity: Record<string, string> = {};
for (const id of CARRIED_VALUE_SETS) {
  const vs = readValueSet(id);
  const codes: Record<string, string[]> = {};
  for (const c of vs.expansion.contains) {
    const key = SYSTEM_KEYS[c.system];
    if (!key) throw new Error(`${id}: unexpected system ${c.system}`);
    const code = key === 'icd10cm' ? c.code.replace('.', '').toUpperCase() : c.code;
    (codes[key] ??= []).push(code);
    if (id === 'opioid-misuse-disorders' && key === 'snomed')
      oudSeverity[c.code] = snomedOudSeverity(c.display ?? '');
  }
  for (const list of Object.values(codes)) list.sort();
  const isMedication = Boolean(codes.rxnorm);
  valueSets[id] = {
    url: vs.url,
    title: vs.title ?? id,
    expansion: vs.expansion.timestamp ?? vs.date ?? null,
    codes,
    ...(isMedication
      ? {
          ingredients: singleIngredientNames(vs.expansion.contains),
          brands: brandNames(vs.expansion.contains),
        }
      : {}),
  };
}
writeFileSync(
  join(root, 'src/domain/terminology/data/cdc-value-sets.json'),
  JSON.stringify(
    {
      provenance: {
        description:
          'Code lists of the CDC Opioid Prescribing Guideline CDS IG value sets the risk rules use: codes by system (ICD-10-CM without dots), plus the single-ingredient names and brand names of medication sets (for orders whose product code is missing from a list), and OUD severity of SNOMED codes (from their displays).',
        source:
          'CDC Opioid Prescribing Guideline CDS IG 2022.1.0 (cqframework/opioid-cds-r4, input/vocabulary/valueset)',
        license: 'CC0-1.0; uses NLM RxNorm, LOINC, SNOMED CT and ICD-10-CM codes',
      },
      valueSets,
      oudSeverity,
    },
    null,
    0,
  ).replace(/\],"/g, '],\n"') + '\n',
);

console.log(
  `products: ${tableRows.length} rows; extra names: ${Object.keys(extraNames).length}; value sets: ${CARRIED_VALUE_SETS.length}`,
);
