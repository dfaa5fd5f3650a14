/**
 * Parses RxNorm normalized drug names, the fallback for RxCUIs the product table lacks:
 *   "acetaminophen 325 MG / oxycodone hydrochloride 5 MG Oral Tablet"
 *   "72 HR fentanyl 0.075 MG/HR Transdermal System"
 *   "morphine sulfate 10 MG [Kadian]"
 *   "1 ML morphine sulfate 10 MG/ML Injection"
 *   "Abuse-Deterrent 12 HR oxycodone hydrochloride 10 MG Extended Release Oral Tablet [Oxycontin]"
 *   "{2 (fentanyl 0.6 MG/ACTUAT Mucosal Spray) } Pack" (a pack of one product is read as that product)
 * Only opioid components are returned; the rest of a combination product is not counted.
 * Name grammar: RxNorm Technical Documentation, "Normalized names" (SCD/SBD: ingredient strength dose form [brand]).
 */
import { opioidIngredientByName, type OpioidIngredient } from './ingredients.ts';
import { strengthFromRxnormUnit, type Strength } from './strength.ts';

export interface ParsedComponent {
  readonly ingredient: OpioidIngredient;
  readonly strength: Strength;
}

export interface ParsedName {
  readonly components: readonly ParsedComponent[];
  readonly doseForm?: string;
  /** Wear time for patches from the "72 HR" / "7 DAY" prefix. */
  readonly durationHours?: number;
}

const QUALIFIER = /^(?:Abuse-Deterrent|Matrix Delivery) /;
const PREFIX = /^(\d+(?:\.\d+)?) (HR|DAY|ML|ACTUAT) /;
const SINGLE_PACK = /^\{\d+ \((.+?)\) \} Pack(?: \[[^\]]*\])?$/;
const COMPONENT = /^(.+?) (\d+(?:\.\d+)?|\.\d+) ((?:MG|MCG|UNT|MEQ)(?:\/(?:ML|HR|ACTUAT|MG))?)(?: (.+))?$/;

/** Longer than any RxNorm name (the longest are under 300 characters): not one, and not worth a regex's time. */
const MAX_NAME_LENGTH = 1_000;

/** The name without a trailing brand " [Oxycontin]" (the bracket after the last "]" before the end). */
export function withoutBrand(name: string): string {
  if (!name.endsWith(']')) return name;
  const open = name.indexOf(' [', name.lastIndexOf(']', name.length - 2) + 1);
  return open < 0 ? name : name.slice(0, open);
}

export function parseRxnormName(name: string): ParsedName | undefined {
  if (name.length > MAX_NAME_LENGTH) return undefined;
  let rest = name.trim().replace(/\s+/g, ' ');
  if (rest.startsWith('{')) {
    // A pack of one product is that product; packs of several ("{...} / {...} Pack") are not read.
    const inner = SINGLE_PACK.exec(rest)?.[1];
    return inner === undefined || /[{}()]/.test(inner) ? undefined : parseRxnormName(inner);
  }
  rest = withoutBrand(rest).replace(QUALIFIER, '');

  let durationHours: number | undefined;
  const prefix = PREFIX.exec(rest);
  if (prefix) {
    const n = Number(prefix[1]);
    if (prefix[2] === 'HR') durationHours = n;
    if (prefix[2] === 'DAY') durationHours = n * 24;
    rest = rest.slice(prefix[0].length);
  }

  const parts = rest.split(' / ');
  const components: ParsedComponent[] = [];
  let doseForm: string | undefined;
  for (const [index, part] of parts.entries()) {
    const m = COMPONENT.exec(part);
    if (!m) return undefined;
    const [, ingredientName, value, unit, tail] = m;
    if (tail !== undefined) {
      if (index !== parts.length - 1) return undefined; // only the last component carries the dose form
      doseForm = tail;
    }
    const ingredient = opioidIngredientByName(ingredientName ?? '');
    if (!ingredient) continue;
    const strength = strengthFromRxnormUnit(Number(value), unit ?? '');
    if (!strength) return undefined;
    components.push({ ingredient, strength });
  }
  if (components.length === 0) return undefined;
  return {
    components,
    ...(doseForm === undefined ? {} : { doseForm }),
    ...(durationHours === undefined ? {} : { durationHours }),
  };
}
