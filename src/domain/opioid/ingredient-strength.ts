/**
 * Strength from a Medication.ingredient ratio (numerator / denominator), e.g. 5 mg / 1 TAB, 10 mg / 5 mL,
 * 25 mcg / 1 h (a patch's release rate) or 25 mcg/h / 1 patch. Works without any RxCUI.
 */
import type { Amount } from './order.types.ts';
import type { Strength } from './strength.ts';
import { classifyUnit, daysPerTimeUnit, describeUnit } from './units.ts';

export type StrengthResult =
  { readonly ok: true; readonly strength: Strength } | { readonly ok: false; readonly problem: string };

export function strengthFromRatio(numerator: Amount, denominator: Amount | undefined): StrengthResult {
  const nu = classifyUnit(numerator);
  const denValue = denominator?.value ?? 1;
  // A strength of 0 is a placeholder, not a product: unknown, never 0 MME.
  if (!(numerator.value > 0)) return { ok: false, problem: 'the strength is not a positive number' };
  if (!(denValue > 0)) return { ok: false, problem: 'the strength denominator is not a positive number' };
  if (!nu) return { ok: false, problem: `strength unit "${describeUnit(numerator)}" is not recognised` };
  const du = denominator ? classifyUnit(denominator) : undefined;
  const denHours = denominator ? hoursOf(denominator) : undefined;

  if (nu.kind === 'rate' && (!denominator || du?.kind === 'count')) {
    return {
      ok: true,
      strength: { value: (numerator.value * nu.toBase) / denValue, unit: 'mcg/h', per: 'unit' },
    };
  }
  if (nu.kind === 'mass') {
    const mg = numerator.value * nu.toBase;
    if (!denominator || du?.kind === 'count') {
      const per = du?.label === 'actuation' ? 'actuation' : 'unit';
      return { ok: true, strength: { value: mg / denValue, unit: 'mg', per } };
    }
    if (du?.kind === 'volume') {
      return { ok: true, strength: { value: mg / (denValue * du.toBase), unit: 'mg', per: 'mL' } };
    }
    if (denHours !== undefined) {
      return {
        ok: true,
        strength: { value: (mg * 1000) / (denValue * denHours), unit: 'mcg/h', per: 'unit' },
      };
    }
  }
  return {
    ok: false,
    problem:
      `strength ${numerator.value} ${describeUnit(numerator)} per ${denValue} ${denominator ? describeUnit(denominator) : ''} cannot be used`.trim(),
  };
}

function hoursOf(amount: Amount): number | undefined {
  const days = daysPerTimeUnit(amount.code) ?? daysPerTimeUnit(amount.unit);
  return days === undefined ? undefined : days * 24;
}
