/**
 * Which risk-relevant class a medication belongs to: by RxNorm code in the CDC value sets, else (code missing from
 * a list) by an ingredient or brand named in its text. Naloxone counts as a rescue medication only without an opioid
 * agonist in the product (buprenorphine/naloxone films are MOUD, not rescue kits).
 */
import { resolveProduct, type ResolvedProduct } from '../opioid/product.resolver.ts';
import type { ProductInput } from '../opioid/order.types.ts';
import { isSystem } from '../terminology/code-systems.ts';
import { anyInValueSet, namedInMedicationSet, type ValueSetId } from '../terminology/value-sets.ts';

export type MedicationClass = 'benzodiazepine' | 'naloxone-rescue' | 'moud' | 'amphetamine';

function texts(product: ProductInput): string[] {
  return [product.text, ...product.codings.map((c) => c.display)].filter((t): t is string => t !== undefined);
}

function inSet(product: ProductInput, id: ValueSetId, byCodeOnly = false): boolean {
  const rxnorm = product.codings.filter((c) => isSystem(c, 'rxnorm'));
  if (anyInValueSet(id, rxnorm)) return true;
  const ingredientCodes = product.ingredients.flatMap((i) => i.codings.filter((c) => isSystem(c, 'rxnorm')));
  if (anyInValueSet(id, ingredientCodes)) return true;
  if (byCodeOnly) return false;
  const named = [
    ...texts(product),
    ...product.ingredients.map((i) => i.text).filter((t): t is string => !!t),
  ];
  return named.some((t) => namedInMedicationSet(id, t) !== undefined);
}

/** RxNorm ingredient naltrexone (7243) and its US brands; no CDC value set lists naltrexone products. */
const NALTREXONE_RXCUI = '7243';
const NALTREXONE_NAMES = /\b(?:naltrexone|vivitrol|revia|depade)\b/i;

function isNaltrexone(product: ProductInput): boolean {
  const codings = [...product.codings, ...product.ingredients.flatMap((i) => i.codings)];
  if (codings.some((c) => isSystem(c, 'rxnorm') && c.code?.trim() === NALTREXONE_RXCUI)) return true;
  const names = [
    ...texts(product),
    ...product.ingredients.map((i) => i.text).filter((t): t is string => !!t),
  ];
  return names.some((t) => NALTREXONE_NAMES.test(t));
}

export function medicationClasses(
  product: ProductInput,
  resolved: ResolvedProduct = resolveProduct(product),
): Set<MedicationClass> {
  const classes = new Set<MedicationClass>();
  const opioids = resolved.components.map((c) => c.ingredient.name);
  // A product the opioid tables identified is not also a benzodiazepine or stimulant by its words.
  const known = resolved.identifiedBy === 'product-table' || resolved.identifiedBy === 'rxnorm-name';
  if (inSet(product, 'benzodiazepine-medications', known)) classes.add('benzodiazepine');
  if (inSet(product, 'amphetamines-class-medications', known)) classes.add('amphetamine');
  if (inSet(product, 'naloxone-medications') && opioids.length === 0) classes.add('naloxone-rescue');
  const naltrexone = opioids.length === 0 && isNaltrexone(product);
  if (opioids.includes('buprenorphine') || opioids.includes('methadone') || naltrexone) classes.add('moud');
  return classes;
}
