import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProductInput } from '../../src/domain/opioid/order.types.ts';
import type { ObservationInput } from '../../src/domain/record/record.types.ts';
import { medicationClasses } from '../../src/domain/risk/medication-class.ts';
import { programmeOf } from '../../src/domain/risk/programmes.ts';
import { udsClass, udsOutcome } from '../../src/domain/risk/uds-result.ts';
import { isOpioidOverdose } from '../../src/domain/terminology/clinical-codes.ts';
import { PROJECT_SYSTEMS } from '../../src/domain/terminology/code-systems.ts';
import { inValueSet } from '../../src/domain/terminology/value-sets.ts';

const ICD = 'http://hl7.org/fhir/sid/icd-10-cm';
const RX = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const LOINC = 'http://loinc.org';

describe('value sets', () => {
  it.each([
    ['C34.90', true],
    ['c3490', true],
    ['C50.911', true],
    ['D57.00', false],
    ['Z51.5', false],
  ])(
    'ICD-10-CM %s in cdc-malignant-cancer-conditions: %s (by code ancestry, dots and case ignored)',
    (code, inSet) => {
      expect(inValueSet('cdc-malignant-cancer-conditions', { system: ICD, code })).toBe(inSet);
    },
  );

  it('matches systems however spelt and never a code from another system', () => {
    expect(
      inValueSet('sickle-cell-diseases', { system: 'http://hl7.org/fhir/sid/icd-10-cm/', code: 'D57.00' }),
    ).toBe(true);
    expect(inValueSet('sickle-cell-diseases', { system: 'http://snomed.info/sct', code: 'D57.00' })).toBe(
      false,
    );
    expect(inValueSet('sickle-cell-diseases', { system: ICD, code: 'constructor' })).toBe(false);
  });

  it.each([
    ['T40.1X1A', true],
    ['T40.2X4D', true],
    ['T40.601A', true],
    ['T40.2X5A', false],
    ['T40.2X6A', false],
    ['T40.5X1A', false],
  ])('opioid overdose %s: %s', (code, expected) => {
    expect(isOpioidOverdose({ system: ICD, code })).toBe(expected);
  });
});

describe('medication classes', () => {
  const product = (code: string | undefined, text?: string): ProductInput => ({
    codings: code ? [{ system: RX, code }] : [],
    text,
    ingredients: [],
  });

  it.each([
    [product('198241'), 'benzodiazepine'],
    [product(undefined, 'LORAZEPAM 1 MG TABLET (local)'), 'benzodiazepine'],
    [product(undefined, 'Klonopin 0.5 mg'), 'benzodiazepine'],
    [product('1725059'), 'naloxone-rescue'],
    [product(undefined, 'Narcan 4 mg nasal spray'), 'naloxone-rescue'],
    [product('1010606'), 'moud'],
    [product(undefined, 'naltrexone 380 mg ER injection'), 'moud'],
  ])('%j is %s', (p, cls) => {
    expect(medicationClasses(p).has(cls as never)).toBe(true);
  });

  it.each([
    [product('1551473'), 'Contrave by its code'],
    [
      product(
        undefined,
        'naltrexone hydrochloride 8 MG / bupropion hydrochloride 90 MG Extended Release Oral Tablet',
      ),
      'naltrexone with bupropion by name',
    ],
    [product(undefined, 'naltrexone 4.5 MG oral capsule (compounded)'), 'low-dose naltrexone'],
  ])('%j is not MOUD (%s)', (p) => {
    expect(medicationClasses(p).has('moud')).toBe(false);
  });

  it.each([
    product(undefined, 'naltrexone hydrochloride 50 MG Oral Tablet'),
    product('7243'),
    product(undefined, 'Revia'),
  ])('%j is MOUD', (p) => {
    expect(medicationClasses(p).has('moud')).toBe(true);
  });

  it('buprenorphine/naloxone (Suboxone) is MOUD, not a naloxone rescue kit', () => {
    const classes = medicationClasses(product('1010606'));
    expect(classes.has('naloxone-rescue')).toBe(false);
    expect(classes.has('moud')).toBe(true);
  });

  it('morphine/naltrexone (Embeda) is not MOUD; an opioid is not a benzodiazepine by its words', () => {
    expect(
      medicationClasses(
        product(undefined, 'morphine sulfate 20 MG / naltrexone hydrochloride 0.8 MG [Embeda]'),
      ).has('moud'),
    ).toBe(false);
    expect(
      medicationClasses(product('1049621', 'oxycodone (take with diazepam? no)')).has('benzodiazepine'),
    ).toBe(false);
  });
});

describe('urine drug screen results', () => {
  const obs = (loinc: string, extra: Partial<ObservationInput>): ObservationInput => ({
    ref: 'Observation/u',
    code: { codings: [{ system: LOINC, code: loinc }] },
    interpretation: [],
    components: [],
    ...extra,
  });

  it.each([
    ['19295-5', 'opiate'],
    ['19642-8', 'oxycodone'],
    ['59673-4', 'fentanyl'],
    ['19321-9', 'heroin'],
    ['14314-9', 'cocaine'],
  ])('LOINC %s tests %s', (loinc, cls) => {
    expect(udsClass([{ system: LOINC, code: loinc }])).toBe(cls);
  });

  it.each([
    [
      {
        value: {
          kind: 'concept',
          concept: { codings: [{ system: 'http://snomed.info/sct', code: '10828004' }] },
        },
      },
      'positive',
    ],
    [
      {
        value: {
          kind: 'concept',
          concept: { codings: [{ system: 'http://snomed.info/sct', code: '260385009' }] },
        },
      },
      'negative',
    ],
    [{ value: { kind: 'concept', concept: { codings: [], text: 'Presumptive positive' } } }, 'positive'],
    [{ value: { kind: 'string', text: 'NEG' } }, 'negative'],
    [{ value: { kind: 'string', text: 'not detected' } }, 'negative'],
    [{ value: { kind: 'string', text: 'Detected' } }, 'positive'],
    [{ value: { kind: 'number', value: 350 }, interpretation: [{ code: 'POS' }] }, 'positive'],
    [{ value: { kind: 'number', value: 12 }, interpretation: [{ code: 'N' }] }, 'negative'],
    [{ interpretation: [{ code: 'A' }] }, 'positive'],
    [{ interpretation: [{ display: 'Negative' }] }, 'negative'],
    [{ value: { kind: 'string', text: 'see report' } }, undefined],
    [{ value: { kind: 'number', value: 350 } }, undefined],
  ] as const)('%j reads %s', (extra, outcome) => {
    expect(udsOutcome(obs('19295-5', extra as Partial<ObservationInput>))).toBe(outcome);
  });
});

describe('project code systems', () => {
  interface CodeSystemJson {
    url: string;
    concept: { code: string }[];
  }
  const load = (file: string): CodeSystemJson =>
    JSON.parse(
      readFileSync(join(import.meta.dirname, '../../fhir-profiles', file), 'utf8'),
    ) as CodeSystemJson;

  it('the CodeSystems in fhir-profiles define the URLs and codes the service reads', () => {
    const assessment = load('CodeSystem-assessment.json');
    const programmes = load('CodeSystem-referral-program.json');
    expect(assessment.url).toBe(PROJECT_SYSTEMS.assessment);
    expect(programmes.url).toBe(PROJECT_SYSTEMS.referralProgram);
    expect(assessment.concept.map((c: { code: string }) => c.code)).toEqual([
      'comm-total',
      'program-completed',
    ]);
    expect(programmes.concept.map((c: { code: string }) => c.code)).toEqual(['more', 'mbt', 'cbt']);
    for (const code of ['more', 'mbt', 'cbt'] as const) {
      expect(programmeOf({ codings: [{ system: programmes.url, code }] })).toBe(code);
    }
  });

  it('recognises programmes by text too', () => {
    expect(
      programmeOf({ codings: [], text: 'Referral: Mindfulness-Oriented Recovery Enhancement group' }),
    ).toBe('more');
    expect(programmeOf({ codings: [], text: 'mindfulness-based therapy for chronic pain' })).toBe('mbt');
    expect(programmeOf({ codings: [], text: 'Cognitive Behavioral Therapy' })).toBe('cbt');
    expect(programmeOf({ codings: [], text: 'more physiotherapy' })).toBeUndefined();
  });

  it("reads SNOMED's CBT code as the pain programme unless the text names another condition", () => {
    const snomedCbt = { system: 'http://snomed.info/sct', code: '304891004' };
    expect(programmeOf({ codings: [snomedCbt] })).toBe('cbt');
    expect(programmeOf({ codings: [snomedCbt], text: 'CBT for chronic pain' })).toBe('cbt');
    for (const text of ['CBT for depression', 'CBT-I', 'Cognitive behavioral therapy for anxiety'])
      expect(programmeOf({ codings: [snomedCbt], text }), text).toBeUndefined();
    expect(programmeOf({ codings: [{ ...snomedCbt, display: 'CBT for insomnia' }] })).toBeUndefined();
  });
});
