/**
 * Which opioid product an order is for, and the strength of each opioid ingredient, with the source of each fact.
 * Order of evidence (clinical brief 2.2): the first RxNorm coding that resolves (product table, else its RxNorm
 * normalized name); strength from Medication.ingredient when present, else the table, else the parsed name.
 * Other code systems (NDC, local codes) never identify a product, but their text can reveal that an order is an
 * opioid whose strength is unknown - which makes it incomplete rather than invisible.
 */
import { classifyDoseForm, type DoseFormCategory } from './dose-form.ts';
import { strengthFromRatio } from './ingredient-strength.ts';
import {
  opioidIngredientByName,
  opioidIngredientByRxcui,
  opioidIngredientInText,
  type OpioidIngredient,
} from './ingredients.ts';
import type { CodingInput, IngredientInput, ProductInput } from './order.types.ts';
import { opioidIngredientByBrandInText, opioidProductNameByRxcui, productByRxcui } from './product-table.ts';
import { parseRxnormName } from './rxnorm-name.parser.ts';
import type { Strength } from './strength.ts';
import { normalSystemUri } from '../terminology/code-systems.ts';

export const RXNORM_SYSTEMS: readonly string[] = [
  'http://www.nlm.nih.gov/research/umls/rxnorm',
  'urn:oid:2.16.840.1.113883.6.88',
];

export type StrengthSource = 'medication-ingredient' | 'product-table' | 'rxnorm-name';
export type IdentifiedBy =
  'product-table' | 'rxnorm-name' | 'medication-ingredient' | 'ingredient-code' | 'text';

export interface ResolvedComponent {
  readonly ingredient: OpioidIngredient;
  readonly strength?: Strength;
  readonly strengthSource?: StrengthSource;
}

export interface ResolvedProduct {
  /** 'unknown' when the Medication could not be found, so it may or may not be an opioid. */
  readonly opioid: 'yes' | 'no' | 'unknown';
  readonly rxcui?: string;
  readonly name?: string;
  readonly identifiedBy?: IdentifiedBy;
  readonly doseForm: DoseFormCategory;
  readonly doseFormText?: string;
  /** Patch wear time from the product name ("72 HR"), when stated. */
  readonly patchHours?: number;
  readonly components: readonly ResolvedComponent[];
  readonly problems: readonly string[];
  /** False when nothing identifies the product: no RxNorm code, no opioid or brand name (e.g. only an NDC). */
  readonly identifiable: boolean;
}

interface Identity {
  readonly rxcui?: string;
  readonly name: string;
  readonly doseForm?: string;
  readonly patchHours?: number;
  readonly components: readonly { readonly ingredient: OpioidIngredient; readonly strength: Strength }[];
  readonly source: 'product-table' | 'rxnorm-name';
}

/** RxNorm, however an EHR spells its system URI (https, trailing slash, case) or its OID. */
const SYSTEM_IS_RXNORM = new Map<string, boolean>();

export function isRxnorm(coding: CodingInput): boolean {
  const system = coding.system;
  if (system === undefined) return false;
  if (system === RXNORM_SYSTEMS[0]) return true;
  let known = SYSTEM_IS_RXNORM.get(system);
  if (known === undefined) {
    const normal = normalSystemUri(system);
    known = RXNORM_SYSTEMS.includes(normal);
    // Few distinct systems occur; the bound only guards against hostile input.
    if (SYSTEM_IS_RXNORM.size < 1000 && system.length <= 512) SYSTEM_IS_RXNORM.set(system, known);
  }
  return known;
}

function identityFromCodings(codings: readonly CodingInput[]): Identity | undefined {
  for (const coding of codings) {
    if (!isRxnorm(coding) || !coding.code) continue;
    const row = productByRxcui(coding.code);
    if (row) {
      return {
        rxcui: row.rxcui,
        name: row.name,
        doseForm: row.doseForm,
        patchHours: row.patchHours,
        components: row.components,
        source: 'product-table',
      };
    }
    const name = opioidProductNameByRxcui(coding.code) ?? coding.display;
    const parsed = name === undefined ? undefined : parseRxnormName(name);
    if (name !== undefined && parsed) {
      return {
        rxcui: coding.code,
        name,
        ...(parsed.doseForm === undefined ? {} : { doseForm: parsed.doseForm }),
        ...(parsed.durationHours === undefined ? {} : { patchHours: parsed.durationHours }),
        components: parsed.components,
        source: 'rxnorm-name',
      };
    }
  }
  return undefined;
}

function identityFromText(texts: readonly string[]): Identity | undefined {
  for (const text of texts) {
    const parsed = parseRxnormName(text);
    if (parsed) {
      return {
        name: text,
        ...(parsed.doseForm === undefined ? {} : { doseForm: parsed.doseForm }),
        ...(parsed.durationHours === undefined ? {} : { patchHours: parsed.durationHours }),
        components: parsed.components,
        source: 'rxnorm-name',
      };
    }
  }
  return undefined;
}

function ingredientByCode(codings: readonly CodingInput[]): OpioidIngredient | undefined {
  for (const coding of codings) {
    if (!isRxnorm(coding) || !coding.code) continue;
    const ingredient = opioidIngredientByRxcui(coding.code.trim());
    if (ingredient) return ingredient;
  }
  return undefined;
}

interface StatedIngredient {
  readonly ingredient: OpioidIngredient;
  readonly strength?: Strength;
  readonly problem?: string;
}

function opioidOfIngredient(input: IngredientInput): OpioidIngredient | undefined {
  const byCode = ingredientByCode(input.codings);
  if (byCode) return byCode;
  const names = [input.text, ...input.codings.map((c) => c.display)].filter((t): t is string => !!t);
  for (const name of names) {
    const hit = opioidIngredientByName(name) ?? opioidIngredientInText(name);
    if (hit) return hit;
  }
  return undefined;
}

function statedIngredients(ingredients: readonly IngredientInput[]): StatedIngredient[] {
  const out: StatedIngredient[] = [];
  for (const input of ingredients) {
    const ingredient = opioidOfIngredient(input);
    if (!ingredient) continue;
    if (!input.numerator) {
      out.push({ ingredient });
      continue;
    }
    const result = strengthFromRatio(input.numerator, input.denominator);
    out.push(
      result.ok
        ? { ingredient, strength: result.strength }
        : { ingredient, problem: `Medication.ingredient ${ingredient.name}: ${result.problem}` },
    );
  }
  return out;
}

export function resolveProduct(product: ProductInput): ResolvedProduct {
  const problems: string[] = [];
  const texts = [product.text, ...product.codings.map((c) => c.display)].filter((t): t is string => !!t);
  const identity = identityFromCodings(product.codings) ?? identityFromText(texts);
  const stated = statedIngredients(product.ingredients);
  for (const s of stated) if (s.problem) problems.push(s.problem);

  let components: ResolvedComponent[];
  let identifiedBy: IdentifiedBy | undefined;
  if (identity) {
    identifiedBy = identity.source;
    // Per ingredient, the strengths the Medication states replace the table's (all of them: a product may list
    // one opioid twice, e.g. oxycodone hydrochloride 4.5 mg + oxycodone terephthalate 0.38 mg).
    components = [];
    for (const ingredient of new Set(identity.components.map((c) => c.ingredient))) {
      const fromMedication = stated.filter((s) => s.ingredient === ingredient && s.strength);
      if (fromMedication.length > 0) {
        for (const s of fromMedication) {
          components.push({ ingredient, strength: s.strength, strengthSource: 'medication-ingredient' });
        }
      } else {
        for (const c of identity.components) {
          if (c.ingredient === ingredient) {
            components.push({ ingredient, strength: c.strength, strengthSource: identity.source });
          }
        }
      }
    }
  } else if (stated.length > 0) {
    identifiedBy = 'medication-ingredient';
    components = stated.map((s) =>
      s.strength
        ? { ingredient: s.ingredient, strength: s.strength, strengthSource: 'medication-ingredient' }
        : { ingredient: s.ingredient },
    );
  } else {
    // Coded by the opioid's ingredient alone (RxNorm IN, "7804 oxycodone"): an opioid whose strength is unknown -
    // a dose in mg still converts; never a non-opioid counted as 0.
    const coded = ingredientByCode(product.codings);
    const named =
      coded ??
      texts
        .map((t) => opioidIngredientInText(t) ?? opioidIngredientByBrandInText(t))
        .find((i) => i !== undefined);
    components = named ? [{ ingredient: named }] : [];
    if (coded) {
      identifiedBy = 'ingredient-code';
      problems.push(
        `the product is coded only by its ingredient (RxNorm ${coded.rxcui ?? '?'}, ${coded.name}): no strength to compute from`,
      );
    } else if (named) {
      identifiedBy = 'text';
      problems.push(
        `the product is named only in text ("${texts[0] ?? named.name}"): no RxNorm code or ingredient strength to compute from`,
      );
    }
  }

  const doseFormText = identity?.doseForm ?? product.form;
  // A "Pack" form says nothing: the name inside it does. A strength per hour can only be a patch.
  let doseForm = classifyDoseForm(doseFormText);
  if (doseForm === 'unknown') doseForm = classifyDoseForm(identity?.name ?? texts[0]);
  if (doseForm === 'unknown' && components.some((c) => c.strength?.unit === 'mcg/h'))
    doseForm = 'transdermal';
  const opioid = components.length > 0 ? 'yes' : product.unresolvedReference ? 'unknown' : 'no';
  if (opioid === 'unknown' && product.unresolvedReference) {
    problems.push(
      `${product.unresolvedReference} is not available: whether it is an opioid, and its strength, are unknown`,
    );
  }
  const rxcui = identity?.rxcui;
  const name = identity?.name ?? texts[0];
  return {
    opioid,
    identifiable: components.length > 0 || product.codings.some((c) => c.code !== undefined && isRxnorm(c)),
    ...(rxcui === undefined ? {} : { rxcui }),
    ...(name === undefined ? {} : { name }),
    ...(identifiedBy === undefined ? {} : { identifiedBy }),
    doseForm,
    ...(doseFormText === undefined ? {} : { doseFormText }),
    ...(identity?.patchHours === undefined ? {} : { patchHours: identity.patchHours }),
    components,
    problems,
  };
}

/**
 * Key of everything resolveProduct reads, so a history of monthly refills of one product resolves it once.
 * When the first RxNorm code is in the product table it decides the product alone (with any stated ingredients);
 * otherwise the key holds text, form, RxNorm codes and every display. Non-RxNorm codes are never read.
 */
export function productKey(product: ProductInput): string {
  const ingredients = product.ingredients.length > 0 ? `I${JSON.stringify(product.ingredients)}` : '';
  const firstRxnorm = product.codings.find((c) => c.code !== undefined && isRxnorm(c));
  if (firstRxnorm?.code !== undefined && productByRxcui(firstRxnorm.code))
    return `T${firstRxnorm.code}${ingredients}`;
  // Length-prefixed strings: no text can forge the boundary between two fields.
  const k = (text: string | undefined): string => (text === undefined ? '-' : `${text.length}:${text}`);
  let key = `N${k(product.text)}${k(product.form)}${k(product.unresolvedReference)}#${product.codings.length}`;
  for (const c of product.codings) key += `${k(isRxnorm(c) ? c.code : undefined)}${k(c.display)}`;
  return key + ingredients;
}
