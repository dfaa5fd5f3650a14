/**
 * Reading a urine drug screen: which substance class it tests (by LOINC code in the CDC value sets) and whether it
 * was positive or negative - from coded values (SNOMED 10828004 positive / 260385009 negative, or their text),
 * strings ("Positive", "DETECTED", "neg"), and interpretation (POS/NEG, DET/ND, A/N). Unknown stays unknown.
 */
import type { CodingInput } from '../opioid/order.types.ts';
import type { ObservationInput, ObservationValue } from '../record/record.types.ts';
import { SNOMED_NEGATIVE, SNOMED_POSITIVE } from '../terminology/clinical-codes.ts';
import { isSystem } from '../terminology/code-systems.ts';
import { udsAnalyte, type UdsAnalyte } from '../terminology/uds-analytes.ts';
import { inValueSet, type ValueSetId } from '../terminology/value-sets.ts';

export type UdsClass =
  | UdsAnalyte
  | 'opiate'
  | 'oxycodone'
  | 'fentanyl'
  | 'buprenorphine'
  | 'methadone'
  | 'synthetic-opioid'
  | 'heroin'
  | 'cocaine'
  | 'amphetamine'
  | 'phencyclidine'
  | 'benzodiazepine';

/** Most specific first: a code in both the heroin and the opiate lists is a heroin (6-MAM) test. */
const CLASS_SETS: readonly (readonly [UdsClass, ValueSetId])[] = [
  ['heroin', 'heroin-urine-drug-screening-tests'],
  ['oxycodone', 'oxycodone-urine-drug-screening-tests'],
  ['fentanyl', 'fentanyl-type-urine-drug-screening-tests'],
  ['buprenorphine', 'buprenorphine-urine-drug-screening-tests'],
  ['methadone', 'methadone-urine-drug-screening-tests'],
  ['synthetic-opioid', 'synthetic-opioid-urine-drug-screening-tests'],
  ['cocaine', 'cocaine-urine-drug-screening-tests'],
  ['amphetamine', 'amphetamine-urine-drug-screening-tests'],
  ['phencyclidine', 'phencyclidine-urine-drug-screening-tests'],
  ['benzodiazepine', 'benzodiazepine-urine-drug-screening-tests'],
  ['opiate', 'opiate-specific-urine-drug-screening-tests'],
  ['opiate', 'general-opiate-urine-drug-screening-tests'],
];

export function udsClass(codings: readonly CodingInput[]): UdsClass | undefined {
  // A test of one named substance (a morphine confirmation) is judged by that substance, not by its class.
  for (const c of codings) {
    const analyte = isSystem(c, 'loinc') && c.code !== undefined ? udsAnalyte(c.code.trim()) : undefined;
    if (analyte) return analyte;
  }
  // Loops without intermediate arrays or closures: this runs for every observation of a long history.
  for (const [cls, set] of CLASS_SETS)
    for (const c of codings) if (isSystem(c, 'loinc') && inValueSet(set, c)) return cls;
  return undefined;
}

export type UdsOutcome = 'positive' | 'negative';

const POSITIVE_TEXT = /^(?:(?:pos(?:itive)?|presumptive positive|detected|present|reactive)\b|\+(?![\w+-]))/i;
const NEGATIVE_TEXT = /^(?:(?:neg(?:ative)?|not detected|none detected|absent|non-?reactive)\b|-(?![\w+-]))/i;

function fromText(text: string | undefined): UdsOutcome | undefined {
  const t = text?.trim();
  if (!t) return undefined;
  if (NEGATIVE_TEXT.test(t)) return 'negative';
  if (POSITIVE_TEXT.test(t)) return 'positive';
  return undefined;
}

function fromCoding(c: CodingInput): UdsOutcome | undefined {
  if (isSystem(c, 'snomed') && c.code !== undefined) {
    if (SNOMED_POSITIVE.has(c.code)) return 'positive';
    if (SNOMED_NEGATIVE.has(c.code)) return 'negative';
  }
  return fromText(c.display) ?? fromText(c.code);
}

/** HL7 v3 ObservationInterpretation: POS/DET/A/AA/H/HH positive; NEG/ND/N negative. */
function fromInterpretation(codings: readonly CodingInput[]): UdsOutcome | undefined {
  for (const c of codings) {
    const code = c.code?.trim().toUpperCase();
    if (code === 'POS' || code === 'DET' || code === 'A' || code === 'AA' || code === 'H' || code === 'HH')
      return 'positive';
    if (code === 'NEG' || code === 'ND' || code === 'N') return 'negative';
    const text = fromText(c.display);
    if (text) return text;
  }
  return undefined;
}

function fromValue(value: ObservationValue | undefined): UdsOutcome | undefined {
  switch (value?.kind) {
    case 'concept':
      return (
        value.concept.codings.map(fromCoding).find((x) => x !== undefined) ?? fromText(value.concept.text)
      );
    case 'string':
      return fromText(value.text);
    case 'boolean':
      return value.value ? 'positive' : 'negative';
    case 'number':
    case undefined:
      return undefined;
  }
}

export function udsOutcome(o: ObservationInput): UdsOutcome | undefined {
  return fromValue(o.value) ?? fromInterpretation(o.interpretation);
}
