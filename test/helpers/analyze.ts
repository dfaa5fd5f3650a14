import type { Bundle, Resource } from '@medplum/fhirtypes';
import { analysisReport } from '../../src/analysis/analysis-report.ts';
import { analyzeBundle } from '../../src/analysis/analyze-bundle.ts';
import type { FactorSetId } from '../../src/domain/opioid/factor-sets.ts';
import { parseIsoDate } from '../../src/domain/time/day.ts';
import type { Json } from '../../src/fhir/json-read.ts';
import { bundle } from '../builders/fhir-builders.ts';

export interface OrderReport {
  id: string;
  mme: number | null;
  status: 'counted' | 'incomplete' | 'excluded' | 'inactive';
  method: 'sig' | 'supply' | null;
  prn: boolean;
  reasons: string[];
  notes: string[];
  explanation: string;
  ingredients: {
    rxcui: string | null;
    name: string;
    strengthSource: string | null;
    dailyAmount: { value: number; unit: string } | null;
    factor: number | null;
    mme: number | null;
    status: string;
    derivation: string;
  }[];
  product: { rxcui: string | null; name: string | null; identifiedBy: string | null; doseForm: string };
  period: { start: string; end: string; basis: string } | null;
  steps?: { start: string; end: string; mme: number | null }[];
}

export interface Report {
  asOf: string;
  factorSet: string;
  totalMme: number;
  complete: boolean;
  orders: OrderReport[];
  series: { date: string; mme: number; complete?: false }[];
  averages: { last60Days: number; last90Days: number; complete: boolean };
  max: { mme: number; date: string | null };
  latestChange: { date: string; from: number; to: number; complete: boolean } | null;
  longTermOpioidTherapy: boolean;
  longTermOpioidTherapyDetail: {
    coveredDays: number;
    possiblyCoveredDays: number;
    possible: boolean;
    longestRunAtOrAboveTrialMme: number;
    longestRunPossiblyAtOrAboveTrialMme: number;
    rulesMet: string[];
  };
  escalation: {
    detected: boolean;
    rule: string | null;
    fromMme: number;
    toMme: number;
    sinceDate: string;
    levelSince: string | null;
    complete: boolean;
  };
  taper: {
    detected: boolean;
    decreasePct: number;
    pctPerMonth: number;
    fasterThanRecommended: boolean;
    complete: boolean;
  };
  reasons: string[];
  flags: {
    code: string;
    rule: string;
    summary?: string;
    evidence: { reference?: string; date?: string; value?: string | number; detail: string }[];
    detail?: Record<string, unknown>;
  }[];
  exclusions: string[];
  referral: {
    recommendation: string;
    branch: string;
    suppressed: boolean;
    rationale: string[];
    safetyActions: string[];
    misuseSignals: string[];
    matchesTrialPopulation: boolean | null;
  };
  unreadResults: string[];
}

/** Runs the same path as POST /analysis, without HTTP. */
export function analyze(
  input: Bundle | Resource[],
  asOf = '2026-01-15',
  factorSet: FactorSetId = 'cdc-2022',
): Report {
  const b = Array.isArray(input) ? bundle(...input) : input;
  const day = parseIsoDate(asOf);
  if (day === undefined) throw new Error(`bad test date ${asOf}`);
  return analysisReport(analyzeBundle(b as unknown as Json, day, factorSet)) as unknown as Report;
}

export function onlyOrder(report: Report): OrderReport {
  if (report.orders.length !== 1) throw new Error(`expected one order, got ${report.orders.length}`);
  return report.orders[0]!;
}
