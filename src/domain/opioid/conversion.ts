/**
 * Applies a factor set to one ingredient's daily amount. Returns the MME or says plainly why there is none:
 * excluded (buprenorphine) or no factor in this set (meperidine under CDC 2022, tramadol under 2016, parenteral
 * doses, transmucosal fentanyl under the clinical sets). Never 0 for "unknown".
 */
import type { DoseFormCategory } from './dose-form.ts';
import type { FactorSet } from './factor-sets.ts';
import type { OpioidIngredient } from './ingredients.ts';
import { formatNumber } from './strength.ts';

/** mg/day of the ingredient, or mcg/h for a transdermal patch. */
export type DailyAmount = { readonly value: number; readonly unit: 'mg/d' | 'mcg/h' };

export type Conversion =
  | {
      readonly kind: 'converted';
      readonly factor: number;
      /** What the factor multiplies: "mg/d", "mcg/h" or "mcg/d". */
      readonly factorPer: 'mg/d' | 'mcg/h' | 'mcg/d';
      readonly mme: number;
      /** The arithmetic after the daily amount: "x 1.5 = 30 MME/d". */
      readonly text: string;
    }
  | { readonly kind: 'excluded'; readonly reason: string }
  | { readonly kind: 'no-factor'; readonly reason: string };

function noFactor(reason: string): Conversion {
  return { kind: 'no-factor', reason };
}

function converted(
  amountForFactor: number,
  factor: number,
  per: 'mg/d' | 'mcg/h' | 'mcg/d',
  label?: string,
): Conversion {
  const mme = amountForFactor * factor;
  const how = label ? ` (${label})` : '';
  return {
    kind: 'converted',
    factor,
    factorPer: per,
    mme,
    text: `x ${formatNumber(factor)}${how} = ${formatNumber(mme)} MME/d`,
  };
}

export function convert(
  set: FactorSet,
  ingredient: OpioidIngredient,
  doseForm: DoseFormCategory,
  amount: DailyAmount,
): Conversion {
  const rule = set.rules[ingredient.name];
  const qualifier = set.clinical ? 'clinical ' : '';
  if (!rule) return noFactor(`no ${qualifier}conversion factor for ${ingredient.name} in ${set.id}`);
  if (rule.kind === 'excluded') return { kind: 'excluded', reason: rule.reason };
  if (doseForm === 'parenteral') {
    return noFactor(
      `${ingredient.name} is given parenterally: the ${set.id} factors are for oral opioids and transdermal fentanyl`,
    );
  }
  switch (rule.kind) {
    case 'fentanyl': {
      if (amount.unit === 'mcg/h') {
        // A rate without a patch form may be an infusion, for which the patch factor is wrong.
        if (doseForm !== 'transdermal') {
          return noFactor(
            `fentanyl in mcg/h without a transdermal patch form: ${set.id} converts only patches`,
          );
        }
        return converted(amount.value, rule.transdermalPerMcgPerHour, 'mcg/h');
      }
      const perMcg = rule.transmucosalPerMcg?.[doseForm];
      if (perMcg !== undefined)
        return converted(amount.value * 1000, perMcg, 'mcg/d', `per mcg, ${doseForm}`);
      return noFactor(
        doseForm === 'unknown'
          ? `fentanyl with an unknown dose form: ${set.id} converts only transdermal fentanyl (per mcg/h)`
          : `no ${qualifier}conversion factor for ${doseForm} fentanyl in ${set.id} (only transdermal patches)`,
      );
    }
    case 'per-mg':
      if (amount.unit !== 'mg/d')
        return noFactor(`${ingredient.name} as a patch (mcg/h) has no factor in ${set.id}`);
      return converted(amount.value, rule.factor, 'mg/d');
    case 'tiered-per-mg': {
      if (amount.unit !== 'mg/d')
        return noFactor(`${ingredient.name} as a patch (mcg/h) has no factor in ${set.id}`);
      // Tiers are on whole mg/day in the source table; bounds are inclusive upper limits (20.5 mg/d is tier 2).
      const tier = rule.tiers.find((t) => amount.value <= t.upToMgPerDay);
      if (tier) return converted(amount.value, tier.factor, 'mg/d', `${set.id} tier ${tier.label}`);
      return noFactor(`no ${set.id} tier for ${formatNumber(amount.value)} mg/d of ${ingredient.name}`);
    }
  }
}
