/**
 * The supply-based method (CDC analytic method, for orders without a structured sig): units per day =
 * dispenseRequest.quantity / expectedSupplyDuration, times the strength per unit. For patches the number worn at
 * once is patches per day x wear days (72 h unless the product name says otherwise), so 10 fentanyl 75 mcg/h
 * patches over 30 days is one patch at a time = 75 mcg/h (the CDC file's 7.2 per patch-day is the same 2.4 x 3).
 */
import { implausibleSupply, MAX_SUPPLY_DAYS } from './coverage.ts';
import type { DailyStep, UnitsPerDay } from './daily-amount.types.ts';
import type { Result } from './dose-amount.ts';
import type { Amount } from './order.types.ts';
import type { ResolvedComponent } from './product.resolver.ts';
import { formatNumber } from './strength.ts';
import { readUnit } from './units.ts';

// Fentanyl patches are worn 72 hours (Duragesic prescribing information); a name saying "48 HR" or "7 DAY" wins.
const DEFAULT_PATCH_HOURS = 72;

interface SupplyInput {
  readonly quantity?: Amount;
  readonly supplyDays?: number;
  readonly patchHours?: number;
}

export function dailyStepFromSupply(
  input: SupplyInput,
  components: readonly ResolvedComponent[],
): Result<{ readonly step: DailyStep }> {
  const { quantity, supplyDays } = input;
  if (!quantity) return { ok: false, problem: 'no dispense quantity for the supply-based method' };
  if (supplyDays === undefined)
    return { ok: false, problem: 'no expected supply duration for the supply-based method' };
  if (!(quantity.value > 0) || !(supplyDays > 0)) {
    return { ok: false, problem: 'dispense quantity and expected supply duration must be positive' };
  }
  if (supplyDays > MAX_SUPPLY_DAYS)
    return { ok: false, problem: implausibleSupply(supplyDays, 'an expected supply duration') };
  const notes: string[] = [];
  const strength = components.length === 1 ? components[0]?.strength : undefined;
  const reading = readUnit(quantity, 'dispense quantity');
  let unit = reading.ok ? reading.unit : undefined;
  if (!unit && quantity.unit === undefined && quantity.code === undefined && strength) {
    unit =
      strength.per === 'mL'
        ? { kind: 'volume', toBase: 1, label: 'mL' }
        : { kind: 'count', toBase: 1, label: 'unit' };
    notes.push(
      `dispense quantity has no unit: taken as ${unit.label === 'mL' ? 'mL' : 'units of the product'}`,
    );
  }
  if (!unit) return { ok: false, problem: reading.ok ? 'dispense quantity has no unit' : reading.problem };
  if (unit.kind === 'rate') return { ok: false, problem: 'dispense quantity cannot be a rate' };

  const perDay = (quantity.value * unit.toBase) / supplyDays;
  const head = `${formatNumber(quantity.value)} ${unit.label} / ${formatNumber(supplyDays)} d = ${formatNumber(perDay)} ${unit.kind === 'mass' ? 'mg' : unit.label}/d`;
  const ingredients = [];
  for (const component of components) {
    const s = component.strength;
    const name = component.ingredient.name;
    if (unit.kind === 'mass') {
      if (components.length > 1)
        return {
          ok: false,
          problem: 'a dispense quantity in mg is ambiguous for a product with several opioids',
        };
      ingredients.push({ component, amount: { value: perDay, unit: 'mg/d' as const }, terms: [head] });
      continue;
    }
    if (!s) return { ok: false, problem: `the strength of ${name} is unknown` };
    if ((unit.kind === 'volume') !== (s.per === 'mL')) {
      return {
        ok: false,
        problem: `dispense quantity in ${unit.label} does not match the strength of ${name} (per ${s.per})`,
      };
    }
    if (s.unit === 'mcg/h') {
      const hours = input.patchHours ?? DEFAULT_PATCH_HOURS;
      if (input.patchHours === undefined) notes.push('patch wear time not stated: 72 hours assumed');
      const worn = perDay * (hours / 24);
      const term = `${head} x ${formatNumber(hours / 24)} d wear = ${formatNumber(worn)} patch x ${formatNumber(s.value)} mcg/h`;
      ingredients.push({
        component,
        amount: { value: worn * s.value, unit: 'mcg/h' as const },
        terms: [term],
      });
    } else {
      const term = `${head} x ${formatNumber(s.value)} mg${s.per === 'mL' ? '/mL' : ''}`;
      ingredients.push({
        component,
        amount: { value: perDay * s.value, unit: 'mg/d' as const },
        terms: [term],
      });
    }
  }
  const unitsPerDay: UnitsPerDay | undefined =
    unit.kind === 'mass' ? undefined : { value: perDay, kind: unit.kind === 'volume' ? 'volume' : 'count' };
  return { ok: true, step: { ingredients, ...(unitsPerDay ? { unitsPerDay } : {}), prn: false, notes } };
}
