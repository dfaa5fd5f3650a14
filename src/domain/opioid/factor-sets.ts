/**
 * MME conversion factors as versioned, cited data. Each set is a guideline edition; the engine never mixes them.
 * Factors are per mg/day of the ingredient unless the rule says otherwise.
 *
 * Sources:
 * - cdc-2022: Dowell D, Ragan KR, Jones CM, Baldwin GT, Chou R. CDC Clinical Practice Guideline for Prescribing
 *   Opioids for Pain - United States, 2022. MMWR Recomm Rep 2022;71(No. RR-3):1-95, Table "Morphine milligram
 *   equivalent doses for commonly prescribed opioids". https://doi.org/10.15585/mmwr.rr7103a1
 * - cdc-2016: Dowell D, Haegerich TM, Chou R. CDC Guideline for Prescribing Opioids for Chronic Pain - United
 *   States, 2016. MMWR Recomm Rep 2016;65(No. RR-1), and CDC "Calculating total daily dose of opioids for safer
 *   dosage" (2016), the table the CDC opioid CDS IG's OMTK logic encodes (methadone tiers; no tramadol/tapentadol).
 *   https://doi.org/10.15585/mmwr.rr6501e1
 * - research: cdc-2022 plus the analytic-only factors of CDC's "Opioid NDC and oral MME conversion file" (2018),
 *   for research comparisons only; never for clinical decisions.
 */
import type { DoseFormCategory } from './dose-form.ts';

export type FactorSetId = 'cdc-2022' | 'cdc-2016' | 'research';
export const FACTOR_SET_IDS: readonly FactorSetId[] = ['cdc-2022', 'cdc-2016', 'research'];
export const DEFAULT_FACTOR_SET: FactorSetId = 'cdc-2022';

export type FactorRule =
  /** MME/day = mg/day x factor. */
  | { readonly kind: 'per-mg'; readonly factor: number }
  /** MME/day = mg/day x the factor of the first tier whose upper bound is >= mg/day. */
  | {
      readonly kind: 'tiered-per-mg';
      readonly tiers: readonly {
        readonly upToMgPerDay: number;
        readonly factor: number;
        readonly label: string;
      }[];
    }
  /**
   * Fentanyl: transdermal MME/day = mcg/h x factor, whatever the patch change interval; transmucosal forms only
   * where the set has an analytic factor, per mcg/day.
   */
  | {
      readonly kind: 'fentanyl';
      readonly transdermalPerMcgPerHour: number;
      readonly transmucosalPerMcg?: Partial<Record<DoseFormCategory, number>>;
    }
  /** Not converted to MME at all (buprenorphine: partial agonist, reported separately). */
  | { readonly kind: 'excluded'; readonly reason: string };

export interface FactorSet {
  readonly id: FactorSetId;
  readonly title: string;
  readonly citation: string;
  readonly url: string;
  /** False for sets that must not drive clinical decisions. */
  readonly clinical: boolean;
  readonly rules: Readonly<Record<string, FactorRule>>;
}

const BUPRENORPHINE_EXCLUDED: FactorRule = {
  kind: 'excluded',
  reason:
    'buprenorphine is a partial agonist and is not converted to MME (CDC 2022); it is reported separately as treatment (MOUD) or pain product',
};

const CDC_2022_RULES: Readonly<Record<string, FactorRule>> = {
  codeine: { kind: 'per-mg', factor: 0.15 },
  fentanyl: { kind: 'fentanyl', transdermalPerMcgPerHour: 2.4 },
  hydrocodone: { kind: 'per-mg', factor: 1 },
  hydromorphone: { kind: 'per-mg', factor: 5 },
  methadone: { kind: 'per-mg', factor: 4.7 },
  morphine: { kind: 'per-mg', factor: 1 },
  oxycodone: { kind: 'per-mg', factor: 1.5 },
  oxymorphone: { kind: 'per-mg', factor: 3 },
  tapentadol: { kind: 'per-mg', factor: 0.4 },
  tramadol: { kind: 'per-mg', factor: 0.2 },
  buprenorphine: BUPRENORPHINE_EXCLUDED,
};

export const FACTOR_SETS: Readonly<Record<FactorSetId, FactorSet>> = {
  'cdc-2022': {
    id: 'cdc-2022',
    title: 'CDC Clinical Practice Guideline for Prescribing Opioids for Pain, 2022',
    citation: 'Dowell D, et al. MMWR Recomm Rep 2022;71(No. RR-3):1-95',
    url: 'https://doi.org/10.15585/mmwr.rr7103a1',
    clinical: true,
    rules: CDC_2022_RULES,
  },
  'cdc-2016': {
    id: 'cdc-2016',
    title: 'CDC Guideline for Prescribing Opioids for Chronic Pain, 2016 (parity with the CDC opioid CDS IG)',
    citation: 'Dowell D, Haegerich TM, Chou R. MMWR Recomm Rep 2016;65(No. RR-1):1-49',
    url: 'https://doi.org/10.15585/mmwr.rr6501e1',
    clinical: true,
    rules: {
      codeine: { kind: 'per-mg', factor: 0.15 },
      fentanyl: { kind: 'fentanyl', transdermalPerMcgPerHour: 2.4 },
      hydrocodone: { kind: 'per-mg', factor: 1 },
      hydromorphone: { kind: 'per-mg', factor: 4 },
      methadone: {
        kind: 'tiered-per-mg',
        tiers: [
          { upToMgPerDay: 20, factor: 4, label: '1-20 mg/d' },
          { upToMgPerDay: 40, factor: 8, label: '21-40 mg/d' },
          { upToMgPerDay: 60, factor: 10, label: '41-60 mg/d' },
          { upToMgPerDay: Number.POSITIVE_INFINITY, factor: 12, label: '>= 61 mg/d' },
        ],
      },
      morphine: { kind: 'per-mg', factor: 1 },
      oxycodone: { kind: 'per-mg', factor: 1.5 },
      oxymorphone: { kind: 'per-mg', factor: 3 },
      buprenorphine: BUPRENORPHINE_EXCLUDED,
    },
  },
  research: {
    id: 'research',
    title:
      'Research set: CDC 2022 factors plus CDC analytic factors (2018 NDC/MME file) - not for clinical use',
    citation:
      'Dowell D, et al. MMWR Recomm Rep 2022;71(No. RR-3); CDC Opioid NDC and Oral MME Conversion File, 2018',
    url: 'https://www.cdc.gov/overdose-prevention/data-research/facts-stats/opioid-data-analysis-resources.html',
    clinical: false,
    rules: {
      ...CDC_2022_RULES,
      fentanyl: {
        kind: 'fentanyl',
        transdermalPerMcgPerHour: 2.4,
        transmucosalPerMcg: {
          'transmucosal-tablet': 0.13,
          'transmucosal-film': 0.18,
          'oral-spray': 0.18,
          'nasal-spray': 0.16,
        },
      },
      levorphanol: { kind: 'per-mg', factor: 11 },
      meperidine: { kind: 'per-mg', factor: 0.1 },
      pentazocine: { kind: 'per-mg', factor: 0.37 },
      butorphanol: { kind: 'per-mg', factor: 7 },
      dihydrocodeine: { kind: 'per-mg', factor: 0.25 },
      opium: { kind: 'per-mg', factor: 1 },
    },
  },
};

export function isFactorSetId(value: string): value is FactorSetId {
  return (FACTOR_SET_IDS as readonly string[]).includes(value);
}
