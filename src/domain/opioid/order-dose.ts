/**
 * One order's MME/day with its derivation: sig-based first, supply-based as the fallback, each ingredient
 * converted by the chosen factor set. Unknown stays unknown: `mme` is null with reasons, never 0.
 */
import { convert, type Conversion, type DailyAmount } from './conversion.ts';
import type { DailyStep, UnitsPerDay } from './daily-amount.types.ts';
import type { FactorSet } from './factor-sets.ts';
import type { OrderInput } from './order.types.ts';
import type { ResolvedComponent, ResolvedProduct, StrengthSource } from './product.resolver.ts';
import { orderDoseForm, type OrderDoseForm } from './route.ts';
import { dailyStepsFromSig } from './sig-dose.ts';
import { formatNumber, formatStrength, type Strength } from './strength.ts';
import { dailyStepFromSupply } from './supply-dose.ts';

export type IngredientStatus = 'counted' | 'excluded' | 'no-factor' | 'unknown-dose';

export interface IngredientMme {
  readonly rxcui: string | null;
  readonly name: string;
  readonly strength: Strength | null;
  readonly strengthText: string | null;
  readonly strengthSource: StrengthSource | null;
  /** mg/day, or mcg/h for a transdermal patch. */
  readonly dailyAmount: DailyAmount | null;
  readonly factor: number | null;
  readonly factorPer: 'mg/d' | 'mcg/h' | 'mcg/d' | null;
  readonly mme: number | null;
  readonly status: IngredientStatus;
  readonly derivation: string;
}

export interface DoseStep {
  /** Days this step lasts; absent for the last (or only) step, which runs to the end of the order. */
  readonly days?: number;
  readonly mme: number | null;
  readonly ingredients: readonly IngredientMme[];
  readonly unitsPerDay?: UnitsPerDay;
}

export interface OrderDose {
  readonly method: 'sig' | 'supply' | null;
  readonly prn: boolean;
  /** Every opioid ingredient is excluded from MME (buprenorphine). */
  readonly excluded: boolean;
  readonly steps: readonly DoseStep[];
  readonly reasons: readonly string[];
  readonly notes: readonly string[];
}

function ingredientBase(
  c: ResolvedComponent,
): Pick<IngredientMme, 'rxcui' | 'name' | 'strength' | 'strengthText' | 'strengthSource'> {
  return {
    rxcui: c.ingredient.rxcui,
    name: c.ingredient.name,
    strength: c.strength ?? null,
    strengthText: c.strength ? formatStrength(c.strength) : null,
    strengthSource: c.strengthSource ?? null,
  };
}

/**
 * Numeric sanity bounds, not clinical thresholds: amounts beyond them are data errors (a dose of 1e300 mg, or one
 * every 1e308 days), and would overflow when rounded for display or vanish to 0. Doses of 0 never get here (a dose
 * must be positive): a daily amount or MME below MIN_NUMBER comes from absurd values, and is unknown, never 0.
 */
const MAX_NUMBER = 1e9;
const MIN_NUMBER = 1e-6;

function inRange(value: number): boolean {
  return Number.isFinite(value) && value >= MIN_NUMBER && value <= MAX_NUMBER;
}

function convertStep(step: DailyStep, set: FactorSet, form: OrderDoseForm): DoseStep {
  const ingredients: IngredientMme[] = step.ingredients.map(({ component, amount, terms }) => {
    const converted = convert(set, component.ingredient, form.doseForm, amount);
    const conversion: Conversion =
      form.conflict !== undefined && converted.kind === 'converted'
        ? { kind: 'no-factor', reason: form.conflict }
        : converted;
    const amountText = `${formatNumber(amount.value)} ${amount.unit}`;
    const head =
      terms.length === 1 && terms[0] === amountText ? amountText : `${terms.join(' + ')} = ${amountText}`;
    const base = { ...ingredientBase(component), dailyAmount: amount };
    if (!inRange(amount.value) || (conversion.kind === 'converted' && !inRange(conversion.mme))) {
      return {
        ...base,
        dailyAmount: null,
        factor: null,
        factorPer: null,
        mme: null,
        status: 'unknown-dose',
        derivation: 'the dose values are out of range: no plausible daily amount',
      };
    }
    switch (conversion.kind) {
      case 'converted':
        return {
          ...base,
          factor: conversion.factor,
          factorPer: conversion.factorPer,
          mme: conversion.mme,
          status: 'counted',
          derivation: `${head} ${conversion.text}`,
        };
      case 'excluded':
        return {
          ...base,
          factor: null,
          factorPer: null,
          mme: null,
          status: 'excluded',
          derivation: `${head}; excluded from MME`,
        };
      case 'no-factor':
        return {
          ...base,
          factor: null,
          factorPer: null,
          mme: null,
          status: 'no-factor',
          derivation: `${head}; ${conversion.reason}`,
        };
    }
  });
  const unknown = ingredients.some((i) => i.status === 'no-factor' || i.status === 'unknown-dose');
  const counted = ingredients.filter((i) => i.status === 'counted');
  const mme = unknown || counted.length === 0 ? null : counted.reduce((sum, i) => sum + (i.mme ?? 0), 0);
  return {
    ...(step.days === undefined ? {} : { days: step.days }),
    mme,
    ingredients,
    ...(step.unitsPerDay ? { unitsPerDay: step.unitsPerDay } : {}),
  };
}

function unknownStep(product: ResolvedProduct, set: FactorSet): DoseStep {
  return {
    mme: null,
    ingredients: product.components.map((c) => {
      const rule = set.rules[c.ingredient.name];
      const excluded = rule?.kind === 'excluded';
      return {
        ...ingredientBase(c),
        dailyAmount: null,
        factor: null,
        factorPer: null,
        mme: null,
        status: excluded ? 'excluded' : 'unknown-dose',
        derivation: excluded ? 'excluded from MME' : 'daily dose unknown',
      };
    }),
  };
}

export function computeOrderDose(order: OrderInput, product: ResolvedProduct, set: FactorSet): OrderDose {
  const components = product.components;
  const sig = dailyStepsFromSig(order.sigs, components);
  let method: OrderDose['method'] = null;
  let steps: readonly DailyStep[] = [];
  const reasons: string[] = [];
  const notes: string[] = [];
  if (sig.ok) {
    method = 'sig';
    steps = sig.steps;
  } else {
    const supply = dailyStepFromSupply(
      {
        ...(order.quantity ? { quantity: order.quantity } : {}),
        ...(order.supplyDays === undefined ? {} : { supplyDays: order.supplyDays }),
        ...(product.patchHours === undefined ? {} : { patchHours: product.patchHours }),
      },
      components,
    );
    if (supply.ok) {
      method = 'supply';
      steps = [supply.step];
      notes.push(`sig not usable (${sig.problem}): supply-based method used`);
    } else {
      reasons.push(`sig: ${sig.problem}`, `supply: ${supply.problem}`);
    }
  }
  const form = orderDoseForm(product.doseForm, product.doseFormText, order.sigs);
  const doseSteps = method ? steps.map((s) => convertStep(s, set, form)) : [unknownStep(product, set)];
  for (const s of steps) notes.push(...s.notes);
  if (form.note !== undefined) notes.push(form.note);
  const all = doseSteps.flatMap((s) => s.ingredients);
  const excluded = all.length > 0 && all.every((i) => i.status === 'excluded');
  for (const i of all) {
    if (i.status === 'no-factor') reasons.push(i.derivation.slice(i.derivation.lastIndexOf('; ') + 2));
    if (i.status === 'unknown-dose' && method !== null) reasons.push(`${i.name}: ${i.derivation}`);
  }
  if (excluded) reasons.push(`${[...new Set(all.map((i) => i.name))].join(', ')}: excluded from MME`);
  const unknown = doseSteps.some((s) => s.mme === null) && !excluded;
  (unknown ? reasons : notes).push(...product.problems);
  return {
    method,
    prn: steps.some((s) => s.prn),
    excluded,
    steps: doseSteps,
    reasons: [...new Set(reasons)],
    notes: [...new Set(notes)],
  };
}
