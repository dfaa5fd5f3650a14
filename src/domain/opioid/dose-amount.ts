/**
 * One administration's amount of one opioid ingredient, from the chosen dose and the product strength:
 * a mass dose is the opioid amount itself (10 mg of a 60 mg tablet is 10 mg); a volume dose is multiplied by
 * mg/mL; a count dose (tablets, capsules, patches, actuations) by the strength per unit; a patch gives mcg/h.
 */
import type { DoseInput } from './order.types.ts';
import type { ResolvedComponent } from './product.resolver.ts';
import { formatNumber } from './strength.ts';
import { describeUnit, readUnit, type UnitInfo } from './units.ts';

export interface ChosenDose {
  readonly value: number;
  readonly unit: UnitInfo;
  readonly notes: readonly string[];
}

export type Result<T> = ({ readonly ok: true } & T) | { readonly ok: false; readonly problem: string };

/** Picks the dose of a dosage: the "ordered" doseAndRate when several (Epic also sends "calculated"). */
export function chooseDose(doses: readonly DoseInput[]): Result<{ readonly dose: ChosenDose }> {
  if (doses.length === 0) return { ok: false, problem: 'the dosage has no dose' };
  const ordered = doses.filter((d) => d.type === 'ordered');
  const notCalculated = doses.filter((d) => d.type !== 'calculated');
  const pick =
    doses.length === 1
      ? doses[0]
      : ordered.length === 1
        ? ordered[0]
        : notCalculated.length === 1
          ? notCalculated[0]
          : undefined;
  if (!pick) {
    return {
      ok: false,
      problem: `the dosage has ${doses.length} doseAndRate entries and none is the single "ordered" one`,
    };
  }
  const notes: string[] = [];
  const { doseRangeLow: low, doseRangeHigh: high } = pick;
  // An inverted range (low above high, in the same unit) counts its larger end: never less than the order allows.
  const inverted =
    !pick.dose && low && high && low.value > high.value && describeUnit(low) === describeUnit(high);
  const amount = pick.dose ?? (inverted ? low : high) ?? pick.rate;
  if (!amount) return { ok: false, problem: 'the dosage has no dose quantity, dose range high or rate' };
  if (!pick.dose && high) {
    notes.push(
      inverted
        ? `dose range ${formatNumber(low.value)}-${formatNumber(high.value)} ${describeUnit(high)} is inverted: the larger, ${formatNumber(low.value)}, is counted`
        : `dose range ${low ? formatNumber(low.value) : '?'}-${formatNumber(high.value)} ${describeUnit(high)}: the maximum is counted`,
    );
  }
  if (!(amount.value > 0)) return { ok: false, problem: `dose ${amount.value} is not a positive number` };
  const reading = readUnit(amount, 'dose');
  if (!reading.ok) return { ok: false, problem: reading.problem };
  return { ok: true, dose: { value: amount.value, unit: reading.unit, notes } };
}

export interface AdministeredAmount {
  /** mg per administration, or mcg/h for a patch (then frequency does not multiply it). */
  readonly value: number;
  readonly unit: 'mg' | 'mcg/h';
  readonly text: string;
}

/** Count units that cannot be the product's unit: patches of a tablet, tablets of a patch, sprays of a tablet. */
function countMismatch(label: string, strengthUnit: 'mg' | 'mcg/h', per: string): string | undefined {
  if (label === 'unit') return undefined;
  if (label === 'patch' && strengthUnit !== 'mcg/h') return '(not a patch)';
  if (strengthUnit === 'mcg/h' && label !== 'patch') return '(a patch)';
  if (label === 'actuation' && per !== 'actuation') return '(not a spray)';
  if (per === 'actuation' && label !== 'actuation') return '(a spray, dosed in actuations)';
  return undefined;
}

export function amountPerAdministration(
  dose: ChosenDose,
  component: ResolvedComponent,
  opioidComponents: number,
): Result<{ readonly amount: AdministeredAmount }> {
  const { value, unit } = dose;
  const name = component.ingredient.name;
  const strength = component.strength;
  const isPatch = strength?.unit === 'mcg/h';
  switch (unit.kind) {
    case 'mass': {
      if (isPatch) {
        return {
          ok: false,
          problem: `a dose in ${unit.label} for a ${name} patch is ambiguous: give patches or mcg/h`,
        };
      }
      if (opioidComponents > 1) {
        return {
          ok: false,
          problem: `a dose in ${unit.label} is ambiguous for a product with ${opioidComponents} opioid ingredients`,
        };
      }
      const mg = value * unit.toBase;
      return { ok: true, amount: { value: mg, unit: 'mg', text: `${formatNumber(value)} ${unit.label}` } };
    }
    case 'rate': {
      if (strength && !isPatch)
        return { ok: false, problem: `a dose in ${unit.label} is given for ${name}, which is not a patch` };
      const mcgh = value * unit.toBase;
      return {
        ok: true,
        amount: { value: mcgh, unit: 'mcg/h', text: `${formatNumber(value)} ${unit.label}` },
      };
    }
    case 'volume': {
      if (!strength) return { ok: false, problem: `the strength of ${name} is unknown` };
      if (strength.per !== 'mL')
        return {
          ok: false,
          problem: `a dose in ${unit.label} is given for ${name}, whose strength is not per mL`,
        };
      const ml = value * unit.toBase;
      return {
        ok: true,
        amount: {
          value: ml * strength.value,
          unit: 'mg',
          text: `${formatNumber(value)} ${unit.label} x ${formatNumber(strength.value)} mg/mL`,
        },
      };
    }
    case 'count': {
      if (!strength) return { ok: false, problem: `the strength of ${name} is unknown` };
      const mismatch = countMismatch(unit.label, strength.unit, strength.per);
      if (mismatch) return { ok: false, problem: `a dose in ${unit.label} does not fit ${name} ${mismatch}` };
      if (strength.per === 'mL') {
        return {
          ok: false,
          problem: `a dose in ${unit.label} is given for ${name}, whose strength is per mL`,
        };
      }
      const each = `${formatNumber(strength.value)} ${strength.unit}`;
      return {
        ok: true,
        amount: {
          value: value * strength.value,
          unit: strength.unit,
          text: `${formatNumber(value)} ${unit.label} x ${each}`,
        },
      };
    }
  }
}
