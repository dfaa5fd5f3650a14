/**
 * What every risk rule reads: the record, the MME analysis, the as-of date and the rules, plus the orders of each
 * medication class and the analysis of each opioid order - computed once.
 */
import type { MmeAnalysis } from '../opioid/mme-analysis.ts';
import type { OrderAnalysis } from '../opioid/order-analysis.ts';
import type { OrderInput } from '../opioid/order.types.ts';
import { productKey } from '../opioid/product.resolver.ts';
import { BoundedMemo } from '../memo.ts';
import type { ConditionInput, ObservationInput, PatientRecord } from '../record/record.types.ts';
import { fhirDateRange, formatDay, type Day } from '../time/day.ts';
import { medicationClasses, type MedicationClass } from './medication-class.ts';
import type { RiskRules } from './risk-rules.ts';

export interface RiskContext {
  readonly asOf: Day;
  readonly rules: RiskRules;
  readonly record: PatientRecord;
  readonly mme: MmeAnalysis;
  /** Opioid orders (analysed by the MME engine) by order. */
  readonly opioidOrders: ReadonlyMap<OrderInput, OrderAnalysis>;
  /** The orders of each medication class (benzodiazepines, naloxone, MOUD, amphetamines), in record order. */
  readonly ordersByClass: ReadonlyMap<MedicationClass, readonly OrderInput[]>;
  /**
   * Results a rule had to read but could not (a COMM total that is not a number, an unanswered PHQ-9 item 9):
   * whether they would raise a flag is unknown. The rules add to it as they run.
   */
  readonly unread: UnreadResult[];
}

/** A result a rule could not read: which rule, and what, in plain words. */
export interface UnreadResult {
  readonly rule: 'self-harm' | 'comm' | 'uds' | 'age';
  readonly text: string;
}

const CLASSES = new BoundedMemo<ReadonlySet<MedicationClass>>(5_000);
/** The same, by the MME engine's shared product objects (no key to build). */
const BY_RESOLVED = new WeakMap<object, ReadonlySet<MedicationClass>>();

export function riskContext(
  record: PatientRecord,
  mme: MmeAnalysis,
  asOf: Day,
  rules: RiskRules,
): RiskContext {
  const opioidOrders = new Map<OrderInput, OrderAnalysis>();
  const ordersByClass = new Map<MedicationClass, OrderInput[]>();
  for (const order of record.medicationRequests) {
    const analysed = mme.byInput.get(order);
    if (analysed && analysed.product.opioid === 'yes') opioidOrders.set(order, analysed);
    // One classification per distinct product, shared across analyses: a history repeats the same few products.
    let found = analysed ? BY_RESOLVED.get(analysed.product) : undefined;
    if (!found) {
      found = CLASSES.get(productKey(order.product), () =>
        medicationClasses(order.product, analysed?.product),
      );
      if (analysed) BY_RESOLVED.set(analysed.product, found);
    }
    for (const c of found) {
      const list = ordersByClass.get(c);
      if (list) list.push(order);
      else ordersByClass.set(c, [order]);
    }
  }
  return { asOf, rules, record, mme, opioidOrders, ordersByClass, unread: [] };
}

/** The patient's orders of a medication class. */
export function ordersOfClass(ctx: RiskContext, medicationClass: MedicationClass): readonly OrderInput[] {
  return ctx.ordersByClass.get(medicationClass) ?? [];
}

/** Within the `days` ending at asOf (inclusive); a missing date is never within. */
export function within(day: Day | undefined, asOf: Day, days: number): day is Day {
  return day !== undefined && day <= asOf && day > asOf - days;
}

/**
 * Whether an Observation falls within the `days` ending at asOf. With a partial date ("2026-03"), "yes" only when every
 * day it may mean up to asOf does, "no" when none does; otherwise, and with no date at all, "unknown" - for the rule
 * to report, never to read as "not within".
 */
export function observedWithin(o: ObservationInput, asOf: Day, days: number): 'yes' | 'no' | 'unknown' {
  if (o.effective !== undefined) return within(o.effective, asOf, days) ? 'yes' : 'no';
  const range = o.effectiveText === undefined ? undefined : fhirDateRange(o.effectiveText);
  if (range === undefined) return 'unknown';
  if (range.latest <= asOf - days || range.earliest > asOf) return 'no';
  // The days after asOf are not possible ("2026-03" on 2026-03-15 means the 1st to the 15th).
  return range.earliest > asOf - days ? 'yes' : 'unknown';
}

/** An Observation's date for a sentence: the day, else the date as written, else "undated". */
export function observedOn(o: ObservationInput): string {
  return o.effective !== undefined ? formatDay(o.effective) : (o.effectiveText ?? 'undated');
}

/** Why an Observation's date cannot place it in a window: "dated only 2026-03" or "undated". */
export function dateGap(o: ObservationInput): string {
  return o.effectiveText === undefined ? 'undated' : `dated only "${o.effectiveText}"`;
}

export function dayText(day: Day | undefined): string | undefined {
  return day === undefined ? undefined : formatDay(day);
}

/** Conditions that hold at asOf: not refuted or entered in error; active, recurring or relapsed (or no status and no abatement). */
export function isActiveCondition(c: ConditionInput, asOf: Day): boolean {
  if (c.verificationStatus === 'refuted' || c.verificationStatus === 'entered-in-error') return false;
  if ((c.onset ?? c.recorded ?? asOf) > asOf) return false;
  if (c.clinicalStatus === undefined) return c.abatement === undefined || c.abatement > asOf;
  return c.clinicalStatus === 'active' || c.clinicalStatus === 'recurrence' || c.clinicalStatus === 'relapse';
}

/** Any condition ever recorded and not refuted or in error (for "history of"). */
export function isRecordedCondition(c: ConditionInput): boolean {
  return c.verificationStatus !== 'refuted' && c.verificationStatus !== 'entered-in-error';
}

/** Observations that carry a result: not cancelled or entered in error. */
export function isUsableObservation(o: ObservationInput): boolean {
  return o.status !== 'cancelled' && o.status !== 'entered-in-error';
}

export function conditionText(c: ConditionInput): string {
  const coding = c.code.codings.find((x) => x.code !== undefined);
  const code = coding?.code === undefined ? '' : ` (${coding.code})`;
  return `${c.code.text ?? coding?.display ?? 'condition'}${code}`;
}
