/**
 * The days an order covers (clinical brief 2.3): start = dispenseRequest.validityPeriod.start, else authoredOn;
 * end = start + expectedSupplyDuration, else start + quantity / units per day, else the dosage durations
 * (boundsDuration; a project addition, see ADR 0005), else validityPeriod.end, else start + 30 days (assumed, and
 * said). A supply of N days covers N calendar days: start .. start + N - 1. A supply of more than a year is not
 * used (and said): the next way of dating the order is.
 */
import { addDays, formatDay, type Day } from '../time/day.ts';
import type { UnitsPerDay } from './daily-amount.types.ts';
import type { Amount, OrderInput } from './order.types.ts';
import { formatNumber } from './strength.ts';
import { classifyUnit } from './units.ts';

export const ASSUMED_DAYS_WITHOUT_SUPPLY = 30;
/**
 * The longest supply one order is taken to cover: more than a year of an opioid on one prescription is not a
 * supply but an error in the order (a unit or a digit), and is reported instead of being placed in the history.
 * A project rule, not a guideline figure (ADR 0013; US federal rules, 21 CFR 1306.12(b), allow 90 days of a
 * Schedule II drug across several prescriptions).
 */
export const MAX_SUPPLY_DAYS = 366;

export function implausibleSupply(days: number, what: string): string {
  return `${what} of ${formatNumber(days)} days is implausible (more than ${MAX_SUPPLY_DAYS}): check the order`;
}

export type CoverageBasis =
  'expected-supply-duration' | 'quantity' | 'dosage-bounds' | 'validity-period' | 'assumed';

export interface Coverage {
  readonly start: Day;
  /** Last covered day, inclusive. */
  readonly end: Day;
  readonly basis: CoverageBasis;
  readonly note?: string;
  /**
   * The last day the supply itself would cover, when the order was replaced before then (OrderInput.replacedFrom)
   * and `end` is the day before its replacement: the early-refill rule reads the supply, not the cut.
   */
  readonly suppliedUntil?: Day;
}

export type CoverageResult =
  { readonly ok: true; readonly coverage: Coverage } | { readonly ok: false; readonly problem: string };

/** What coverage reads of the dose steps: units used per day, and each step's duration. */
export type StepTiming = { readonly unitsPerDay?: UnitsPerDay; readonly days?: number };

function quantityDays(quantity: Amount | undefined, steps: readonly StepTiming[]): number | undefined {
  const perDay = steps.length === 1 ? steps[0]?.unitsPerDay : undefined;
  if (!quantity || !perDay || !(perDay.value > 0) || !(quantity.value > 0)) return undefined;
  const unit = classifyUnit(quantity);
  const kind =
    unit?.kind ?? (quantity.unit === undefined && quantity.code === undefined ? perDay.kind : undefined);
  if (kind !== perDay.kind) return undefined;
  return (quantity.value * (unit?.toBase ?? 1)) / perDay.value;
}

/** The last day of a supply of `days` days from `start` (a part day counts as a day). */
export function supplyEnd(start: Day, days: number): Day {
  return addDays(start, Math.max(1, Math.ceil(days - 1e-9)) - 1);
}

export function orderCoverage(order: OrderInput, steps: readonly StepTiming[]): CoverageResult {
  const start = order.validityStart ?? order.authoredOn;
  if (start === undefined)
    return { ok: false, problem: 'the order has no authoredOn or dispenseRequest.validityPeriod.start' };
  // A supply longer than MAX_SUPPLY_DAYS is set aside, said, and the next way of dating the order is used.
  const ignored: string[] = [];
  const plausible = (days: number, what: string): boolean => {
    if (days <= MAX_SUPPLY_DAYS) return true;
    ignored.push(`${implausibleSupply(days, what)}; not used`);
    return false;
  };
  const covered = (supply: Coverage): CoverageResult => {
    // Replaced by an order being signed: the supply ends the day before the replacement starts.
    const replaced = order.replacedFrom;
    const coverage =
      replaced !== undefined && replaced > start && replaced <= supply.end
        ? {
            ...supply,
            end: replaced - 1,
            suppliedUntil: supply.end,
            note: [
              ...(supply.note === undefined ? [] : [supply.note]),
              `replaced from ${formatDay(replaced)} by the order being signed: counted until ${formatDay(replaced - 1)}`,
            ].join('; '),
          }
        : supply;
    const note = [...ignored, ...(coverage.note === undefined ? [] : [coverage.note])].join('; ');
    return { ok: true, coverage: note === '' ? coverage : { ...coverage, note } };
  };
  if (
    order.supplyDays !== undefined &&
    order.supplyDays > 0 &&
    plausible(order.supplyDays, 'an expected supply duration')
  ) {
    return covered({ start, end: supplyEnd(start, order.supplyDays), basis: 'expected-supply-duration' });
  }
  const byQuantity = quantityDays(order.quantity, steps);
  if (byQuantity !== undefined && plausible(byQuantity, 'the quantity at the ordered dose lasts a supply')) {
    return covered({
      start,
      end: supplyEnd(start, byQuantity),
      basis: 'quantity',
      note: `quantity lasts ${formatNumber(byQuantity)} days at the ordered dose`,
    });
  }
  // Dosage durations (timing.repeat.boundsDuration) say how long the drug is taken: more specific than the
  // prescription's validity, which is often months.
  const stepDays = steps.reduce((sum, s) => sum + (s.days ?? 0), 0);
  const lastHasDays = steps.at(-1)?.days !== undefined;
  const usableSteps = stepDays > 0 && plausible(stepDays, 'the dosage durations make a supply');
  if (usableSteps && lastHasDays) {
    return covered({ start, end: supplyEnd(start, stepDays), basis: 'dosage-bounds' });
  }
  if (order.validityEnd !== undefined && order.validityEnd >= start) {
    return covered({ start, end: order.validityEnd, basis: 'validity-period' });
  }
  if (usableSteps) {
    const lastDays = ASSUMED_DAYS_WITHOUT_SUPPLY;
    return covered({
      start,
      end: supplyEnd(start, stepDays + lastDays),
      basis: 'dosage-bounds',
      note: `last dosage step has no duration: ${lastDays} days assumed for it`,
    });
  }
  return covered({
    start,
    end: supplyEnd(start, ASSUMED_DAYS_WITHOUT_SUPPLY),
    basis: 'assumed',
    note: `no usable supply duration, quantity or validity end: ${ASSUMED_DAYS_WITHOUT_SUPPLY} days assumed`,
  });
}
