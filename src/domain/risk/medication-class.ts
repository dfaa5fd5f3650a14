/**
 * Which risk-relevant class a medication belongs to: by RxNorm code in the CDC value sets, else (code missing from
 * a list) by an ingredient or brand named in its text. Naloxone counts as a rescue medication only without an opioid
 * agonist in the product (buprenorphine/naloxone films are MOUD, not rescue kits); buprenorphine made for pain
 * (patches, low-strength films and injections) is not MOUD.
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

/** Naltrexone with bupropion (Contrave, RxCUI 1551473): a weight-loss medicine, not a treatment of OUD. */
const WITH_BUPROPION = /\b(?:bupropion|contrave)\b/i;
const CONTRAVE_RXCUI = '1551473';
/** RxNorm ingredient bupropion. */
const BUPROPION_RXCUI = '42347';
/** The naltrexone strength a name gives ("naltrexone hydrochloride 4.5 MG"), in mg. */
const NALTREXONE_MG = /\bnaltrexone\b[^/]*?(\d+(?:\.\d+)?)\s*mg\b/i;
/**
 * Below this strength naltrexone is low-dose naltrexone (1-4.5 mg, used for chronic pain), not the 50 mg tablets or
 * 380 mg injections that treat OUD (SAMHSA TIP 63).
 */
const MOUD_NALTREXONE_MIN_MG = 25;

/**
 * Naltrexone that treats OUD: named or coded naltrexone, alone - not with bupropion (Contrave), and not at a low
 * dose its name states (low-dose naltrexone for pain). A code alone (no name, no strength) counts: it may be either.
 */
/** Whether the product or one of its ingredients carries this RxNorm code. */
function hasRxnorm(product: ProductInput, code: string): boolean {
  return [...product.codings, ...product.ingredients.flatMap((i) => i.codings)].some(
    (c) => isSystem(c, 'rxnorm') && c.code?.trim() === code,
  );
}

/** The product's names: its text, its codings' displays and its ingredients' texts. */
function names(product: ProductInput): string[] {
  return [...texts(product), ...product.ingredients.map((i) => i.text).filter((t): t is string => !!t)];
}

function isMoudNaltrexone(product: ProductInput): boolean {
  const rxnorm = (code: string): boolean => hasRxnorm(product, code);
  const named = names(product);
  if (!rxnorm(NALTREXONE_RXCUI) && !named.some((t) => NALTREXONE_NAMES.test(t))) return false;
  if (rxnorm(CONTRAVE_RXCUI) || rxnorm(BUPROPION_RXCUI) || named.some((t) => WITH_BUPROPION.test(t)))
    return false;
  return !named.some((t) => {
    // A product name is short; the regex's lazy scan would take quadratic time over a long hostile text.
    const mg = NALTREXONE_MG.exec(t.slice(0, 1_000))?.[1];
    return mg !== undefined && Number(mg) < MOUD_NALTREXONE_MIN_MG;
  });
}

/** Naloxone in a buprenorphine product (Suboxone, Zubsolv, Bunavail): made for OUD, whatever its strength. */
const WITH_NALOXONE = /\b(?:naloxone|suboxone|zubsolv|bunavail)\b/i;
const NALOXONE_RXCUI = '7242';
/** Below this strength a unit (or mL) of buprenorphine alone is a pain product (SAMHSA TIP 63; FDA labels). */
const MOUD_BUPRENORPHINE_MIN_MG = 1;

/**
 * Buprenorphine for pain, not for OUD: patches (Butrans, 5-20 mcg/h) and, without naloxone, strengths below 1 mg a
 * unit or a mL (Belbuca buccal films 75-900 mcg, Buprenex 0.3 mg/mL injections, 0.2-0.4 mg sublingual tablets). OUD
 * products are the 2-12 mg sublingual tablets and films, with naloxone or without, and the weekly or monthly
 * injections (50-356 mg/mL). A product whose strength is unknown counts as MOUD, as before.
 */
export function isPainBuprenorphine(product: ProductInput, resolved: ResolvedProduct): boolean {
  const buprenorphine = resolved.components.filter((c) => c.ingredient.name === 'buprenorphine');
  if (buprenorphine.length === 0) return false;
  if (resolved.doseForm === 'transdermal' || buprenorphine.some((c) => c.strength?.unit === 'mcg/h'))
    return true;
  const named = [...(resolved.name === undefined ? [] : [resolved.name]), ...names(product)];
  if (named.some((t) => WITH_NALOXONE.test(t)) || hasRxnorm(product, NALOXONE_RXCUI)) return false;
  return buprenorphine.every(
    (c) =>
      c.strength !== undefined && c.strength.unit === 'mg' && c.strength.value < MOUD_BUPRENORPHINE_MIN_MG,
  );
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
  const naltrexone = opioids.length === 0 && isMoudNaltrexone(product);
  const buprenorphine = opioids.includes('buprenorphine') && !isPainBuprenorphine(product, resolved);
  if (buprenorphine || opioids.includes('methadone') || naltrexone) classes.add('moud');
  return classes;
}
