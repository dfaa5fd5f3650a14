/**
 * Risk flags, exclusions and the referral decision for one patient at an as-of date (clinical brief 3-5). Pure:
 * takes the record and its MME analysis; every flag and branch carries its rule, source and evidence.
 */
import type { MmeAnalysis } from '../opioid/mme-analysis.ts';
import type { PatientRecord } from '../record/record.types.ts';
import type { Day } from '../time/day.ts';
import { exclusions, type Exclusion } from './exclusions.ts';
import { FLAG_CODES, type Flag } from './flag.types.ts';
import { oudDiagnosis, overdoseHistory } from './flags/condition.flags.ts';
import { doseFlags } from './flags/dose.flags.ts';
import { commPositive, selfHarmRisk, udsUnexpected } from './flags/observation.flags.ts';
import {
  benzodiazepineOverlap,
  earlyRefill,
  multiplePrescribers,
  naloxoneMissing,
} from './flags/prescribing.flags.ts';
import { decideReferral, type Referral } from './referral-decision.ts';
import { ordersOfClass, riskContext, type UnreadResult } from './risk-context.ts';
import { DEFAULT_RISK_RULES, type RiskRules } from './risk-rules.ts';

export interface RiskAnalysis {
  readonly flags: readonly Flag[];
  readonly exclusions: readonly Exclusion[];
  readonly referral: Referral;
  /**
   * Results the rules could not read (RiskContext.unread): the flags may be incomplete. The safety-critical first:
   * PHQ-9 item 9, then COMM, urine screens, the age.
   */
  readonly unread: readonly UnreadResult[];
  /** The ids of the benzodiazepine orders read, whenever they are taken (in record order). */
  readonly benzodiazepineOrders: readonly string[];
}

const UNREAD_ORDER: readonly UnreadResult['rule'][] = ['self-harm', 'comm', 'uds', 'age'];

export function analyzeRisk(
  record: PatientRecord,
  mme: MmeAnalysis,
  asOf: Day,
  rules: RiskRules = DEFAULT_RISK_RULES,
): RiskAnalysis {
  const ctx = riskContext(record, mme, asOf, rules);
  const found = [
    ...doseFlags(ctx),
    benzodiazepineOverlap(ctx),
    multiplePrescribers(ctx),
    earlyRefill(ctx),
    udsUnexpected(ctx),
    commPositive(ctx),
    oudDiagnosis(ctx),
    overdoseHistory(ctx),
    selfHarmRisk(ctx),
  ].filter((f): f is Flag => f !== undefined);
  const has = (code: Flag['code']): boolean => found.some((f) => f.code === code);
  // CDC Rec 8: naloxone at >= 50 MME, with benzodiazepines, after an overdose, or with OUD.
  const indications = [
    has('high-dose-50') ? `>= ${rules.highDose.reassess} MME/day` : undefined,
    has('benzodiazepine-overlap') ? 'benzodiazepine with opioids' : undefined,
    has('overdose-history') ? 'history of opioid overdose' : undefined,
    has('oud-diagnosis') ? 'opioid use disorder' : undefined,
  ].filter((i): i is string => i !== undefined);
  const naloxone = naloxoneMissing(ctx, indications);
  if (naloxone) found.push(naloxone);
  const flags = found.sort((a, b) => FLAG_CODES.indexOf(a.code) - FLAG_CODES.indexOf(b.code));
  const excluded = exclusions(ctx);
  const unread = ctx.unread.sort((a, b) => UNREAD_ORDER.indexOf(a.rule) - UNREAD_ORDER.indexOf(b.rule));
  return {
    flags,
    exclusions: excluded,
    referral: decideReferral(ctx, flags, excluded),
    unread,
    benzodiazepineOrders: ordersOfClass(ctx, 'benzodiazepine').map((o) => o.id),
  };
}
