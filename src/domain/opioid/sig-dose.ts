/**
 * The sig-based method (clinical brief 2.2): daily amount = administrations per day x amount per administration,
 * for every dosage instruction. Instructions with the same `sequence` (or none) apply together and are summed
 * (morning and evening doses); different sequences are consecutive steps (a taper), each needing its duration.
 * A single unreadable instruction makes the whole sig unusable: it is reported, never silently dropped.
 */
import type { DailyAmount } from './conversion.ts';
import type { DailyStep, IngredientDaily, UnitsPerDay } from './daily-amount.types.ts';
import { amountPerAdministration, chooseDose, type ChosenDose, type Result } from './dose-amount.ts';
import { administrationsPerDay } from './frequency.ts';
import type { SigInput } from './order.types.ts';
import { formatNumber } from './strength.ts';
import { describeUnit, readUnit } from './units.ts';
import type { ResolvedComponent } from './product.resolver.ts';

function unitsPerAdministration(
  dose: ChosenDose,
  components: readonly ResolvedComponent[],
): UnitsPerDay | undefined {
  const single = components.length === 1 ? components[0] : undefined;
  const strength = single?.strength;
  switch (dose.unit.kind) {
    case 'count':
      return { value: dose.value, kind: 'count' };
    case 'volume':
      return { value: dose.value * dose.unit.toBase, kind: 'volume' };
    case 'mass':
      if (!strength || strength.unit !== 'mg') return undefined;
      return {
        value: (dose.value * dose.unit.toBase) / strength.value,
        kind: strength.per === 'mL' ? 'volume' : 'count',
      };
    case 'rate':
      if (!strength || strength.unit !== 'mcg/h') return undefined;
      return { value: (dose.value * dose.unit.toBase) / strength.value, kind: 'count' };
  }
}

function isPatchDose(dose: ChosenDose, components: readonly ResolvedComponent[]): boolean {
  if (dose.unit.kind === 'rate') return true;
  return (
    dose.unit.kind === 'count' &&
    components.length > 0 &&
    components.every((c) => c.strength?.unit === 'mcg/h')
  );
}

/**
 * Administrations a day within Dosage.maxDosePerPeriod: "1-2 tablets every 4 hours, at most 6 tablets a day" is
 * at most 3 administrations of 2 tablets, not 6 (the maximum the order allows, brief 2.2). Only a maximum in the
 * dose's own kind of unit (tablets for tablets, mg for mg, mL for mL) can be compared; another is said, not applied.
 */
function cappedFrequency(
  perDay: number,
  dose: ChosenDose,
  max: NonNullable<SigInput['maxPerPeriod']>,
): { readonly perDay: number; readonly note?: string } {
  const reading = readUnit(max.amount, 'maxDosePerPeriod');
  const text = `maxDosePerPeriod ${formatNumber(max.amount.value)} ${describeUnit(max.amount)} per ${formatNumber(max.periodDays)} d`;
  if (!reading.ok || reading.unit.kind !== dose.unit.kind || dose.unit.kind === 'rate')
    return { perDay, note: `${text} is not in the unit of the dose: not applied` };
  const allowed = (max.amount.value * reading.unit.toBase) / max.periodDays / (dose.value * dose.unit.toBase);
  if (!(allowed < perDay)) return { perDay };
  return {
    perDay: allowed,
    note: `${text}: counted at ${formatNumber(allowed)} administrations a day, not ${formatNumber(perDay)}`,
  };
}

function stepFromSigs(
  sigs: readonly SigInput[],
  components: readonly ResolvedComponent[],
  label: (i: number) => string,
): Result<{ readonly step: DailyStep }> {
  const totals = new Map<ResolvedComponent, { value: number; unit: DailyAmount['unit']; terms: string[] }>();
  const notes: string[] = [];
  let units: UnitsPerDay | undefined = { value: 0, kind: 'count' };
  let prn = false;
  for (const [i, sig] of sigs.entries()) {
    const where = sigs.length > 1 ? `${label(i)}: ` : '';
    if (sig.problems.length > 0) return { ok: false, problem: `${where}${sig.problems.join('; ')}` };
    const chosen = chooseDose(sig.doses);
    if (!chosen.ok) return { ok: false, problem: `${where}${chosen.problem}` };
    let frequency = administrationsPerDay(sig.timing);
    if (!frequency.ok) {
      // A patch's MME is its mcg/h whatever the change interval: a missing or odd timing does not hide it.
      if (!isPatchDose(chosen.dose, components))
        return { ok: false, problem: `${where}${frequency.problem}` };
      notes.push(
        `${where}patch change interval not readable (${frequency.problem}); MME does not depend on it`,
      );
      frequency = { ok: true, perDay: Number.NaN, text: '', notes: [] };
    }
    if (sig.maxPerPeriod && Number.isFinite(frequency.perDay)) {
      const capped = cappedFrequency(frequency.perDay, chosen.dose, sig.maxPerPeriod);
      if (capped.note) notes.push(where + capped.note);
      if (capped.perDay < frequency.perDay)
        frequency = { ...frequency, perDay: capped.perDay, text: `max ${formatNumber(capped.perDay)}/d` };
    }
    prn ||= sig.asNeeded;
    notes.push(...frequency.notes.map((n) => where + n), ...chosen.dose.notes.map((n) => where + n));
    for (const component of components) {
      const administered = amountPerAdministration(chosen.dose, component, components.length);
      if (!administered.ok) return { ok: false, problem: `${where}${administered.problem}` };
      const { amount } = administered;
      const unit: DailyAmount['unit'] = amount.unit === 'mcg/h' ? 'mcg/h' : 'mg/d';
      const prior = totals.get(component);
      if (prior && prior.unit !== unit)
        return { ok: false, problem: `${where}patch and non-patch doses are mixed` };
      // A patch delivers mcg/h continuously: how often it is changed does not multiply it (brief 2.1).
      const daily = unit === 'mcg/h' ? amount.value : frequency.perDay * amount.value;
      const prefix = sig.asNeeded ? 'PRN ' : '';
      const term = unit === 'mcg/h' ? amount.text : `${prefix}${frequency.text} x ${amount.text}`;
      // Added to in place: copying the list for each instruction made an order's analysis quadratic in them.
      if (prior) {
        prior.value += daily;
        prior.terms.push(term);
      } else totals.set(component, { value: daily, unit, terms: [term] });
    }
    const perAdmin = unitsPerAdministration(chosen.dose, components);
    units =
      units &&
      perAdmin &&
      Number.isFinite(frequency.perDay) &&
      (units.value === 0 || units.kind === perAdmin.kind)
        ? { value: units.value + frequency.perDay * perAdmin.value, kind: perAdmin.kind }
        : undefined;
  }
  const ingredients: IngredientDaily[] = [...totals].map(([component, t]) => ({
    component,
    amount: { value: t.value, unit: t.unit },
    terms: t.terms,
  }));
  if (prn) notes.push('as needed (PRN): counted at the maximum the order allows');
  return { ok: true, step: { ingredients, ...(units ? { unitsPerDay: units } : {}), prn, notes } };
}

/**
 * More dosage instructions than this in one order are not a sig: it is not read, and the order's dose is unknown
 * unless its supply gives it (never 0). A long taper of twice-daily steps stays far below it; a body of thousands
 * of copies (within the request size limit) would otherwise hold the process and fill the card's explanation.
 * A project rule, not a guideline figure (ADR 0013).
 */
export const MAX_DOSAGE_INSTRUCTIONS = 200;

export function dailyStepsFromSig(
  sigs: readonly SigInput[],
  components: readonly ResolvedComponent[],
): Result<{ readonly steps: readonly DailyStep[] }> {
  if (sigs.length === 0) return { ok: false, problem: 'the order has no dosage instruction' };
  if (sigs.length > MAX_DOSAGE_INSTRUCTIONS)
    return {
      ok: false,
      problem: `${sigs.length} dosage instructions are implausible (more than ${MAX_DOSAGE_INSTRUCTIONS}): check the order; not read`,
    };
  const groups = new Map<number, SigInput[]>();
  for (const sig of sigs) {
    const key = sig.sequence ?? 0;
    const group = groups.get(key);
    if (group) group.push(sig);
    else groups.set(key, [sig]);
  }
  const ordered = [...groups.entries()].sort(([a], [b]) => a - b);
  const steps: DailyStep[] = [];
  for (const [index, [sequence, group]] of ordered.entries()) {
    const label = (i: number): string =>
      ordered.length > 1 ? `dosage step ${sequence} instruction ${i + 1}` : `dosage instruction ${i + 1}`;
    const result = stepFromSigs(group, components, label);
    if (!result.ok) return result;
    const isLast = index === ordered.length - 1;
    const days = group.find((s) => s.timing?.boundsDays !== undefined)?.timing?.boundsDays;
    if (!isLast && days === undefined) {
      return {
        ok: false,
        problem: `dosage step ${sequence} is followed by another step but has no duration (boundsDuration)`,
      };
    }
    steps.push(days === undefined ? result.step : { ...result.step, days });
  }
  return { ok: true, steps };
}
