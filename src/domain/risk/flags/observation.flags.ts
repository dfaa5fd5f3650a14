/** Flags read from observations: unexpected urine drug screens, COMM, PHQ-9 item 9 (brief 3). */
import type { Concept, ObservationInput, ObservationValue } from '../../record/record.types.ts';
import { PHQ9_ITEM9_LOINC, PHQ_ANSWER_SCORES } from '../../terminology/clinical-codes.ts';
import { isSystem, PROJECT_SYSTEMS } from '../../terminology/code-systems.ts';
import { counts } from '../../opioid/prescription-status.ts';
import { resolveProduct } from '../../opioid/product.resolver.ts';
import { formatDay, type Day } from '../../time/day.ts';
import type { Evidence, Flag } from '../flag.types.ts';
import {
  dateGap,
  isUsableObservation,
  observedOn,
  observedWithin,
  ordersOfClass,
  within,
  type RiskContext,
} from '../risk-context.ts';
import { coverageOf, dispensedSpan, mergeSpans, touches, type Span } from '../spans.ts';
import { udsClass, udsOutcome, type UdsClass } from '../uds-result.ts';

/** What a test of each class is expected to find, by prescribed opioid ingredient. */
const DETECTS: Partial<Record<UdsClass, readonly string[]>> = {
  // Opiate immunoassays react to morphine and codeine and, less reliably, their semi-synthetic relatives.
  opiate: [
    'morphine',
    'codeine',
    'hydrocodone',
    'hydromorphone',
    'opium',
    'dihydrocodeine',
    'oxycodone',
    'oxymorphone',
  ],
  oxycodone: ['oxycodone', 'oxymorphone'],
  // Codeine is metabolised to morphine; morphine not to codeine.
  morphine: ['morphine', 'codeine', 'opium'],
  codeine: ['codeine', 'opium'],
  fentanyl: ['fentanyl'],
  sufentanil: ['sufentanil', 'alfentanil'],
  tapentadol: ['tapentadol'],
  buprenorphine: ['buprenorphine'],
  methadone: ['methadone'],
};
/** A negative test is unexpected only where the test reliably finds the prescribed drug. */
const MUST_DETECT: Partial<Record<UdsClass, readonly string[]>> = {
  opiate: ['morphine', 'codeine', 'hydrocodone', 'hydromorphone'],
  oxycodone: ['oxycodone', 'oxymorphone'],
  morphine: ['morphine'],
  codeine: ['codeine'],
  fentanyl: ['fentanyl'],
  buprenorphine: ['buprenorphine'],
  methadone: ['methadone'],
};
/** Classes in words, where the class name is not a word. */
const CLASS_WORDS: Partial<Record<UdsClass, string>> = {
  'synthetic-opioid': 'a novel synthetic opioid',
  'fentanyl-analogue': 'a fentanyl analogue',
  sufentanil: 'sufentanil or alfentanil',
};

/**
 * Substances no prescription explains: the CDC synthetic-opioid tests are of novel synthetic opioids (U-47700,
 * AH-7921, MT-45, W-18 and fentanyl analogues), none of them a medicine.
 */
const NEVER_PRESCRIBED: ReadonlySet<UdsClass> = new Set([
  'heroin',
  'cocaine',
  'phencyclidine',
  'synthetic-opioid',
  'fentanyl-analogue',
]);

/**
 * What was prescribed around each test: merged covered days per opioid ingredient, and of amphetamines; and per
 * opioid ingredient the days dispensed (an opioid treatment programme's methadone may be on record only as
 * dispenses). Dispenses explain a positive result; only prescriptions make a negative one unexpected.
 */
interface Prescribed {
  readonly byIngredient: ReadonlyMap<string, readonly Span[]>;
  readonly dispensedByIngredient: ReadonlyMap<string, readonly Span[]>;
  readonly amphetamine: readonly Span[];
}

function prescriptions(ctx: RiskContext): Prescribed {
  const raw = new Map<string, Span[]>();
  for (const analysed of ctx.opioidOrders.values()) {
    for (const c of analysed.product.components) {
      const list = raw.get(c.ingredient.name) ?? [];
      list.push(...analysed.segments);
      raw.set(c.ingredient.name, list);
    }
  }
  const amphetamine: Span[] = [];
  for (const order of ordersOfClass(ctx, 'amphetamine')) {
    if (!counts(order)) continue;
    const coverage = coverageOf(order);
    if (coverage) amphetamine.push(coverage);
  }
  const dispensed = new Map<string, Span[]>();
  for (const d of ctx.record.dispenses) {
    const span = dispensedSpan(d, ctx.rules.moudDispenseDays);
    if (!span) continue;
    for (const c of resolveProduct(d.product).components) {
      const list = dispensed.get(c.ingredient.name) ?? [];
      list.push(span);
      dispensed.set(c.ingredient.name, list);
    }
  }
  const merged = (m: Map<string, Span[]>): Map<string, Span[]> =>
    new Map([...m].map(([name, spans]) => [name, mergeSpans(spans)]));
  return {
    byIngredient: merged(raw),
    dispensedByIngredient: merged(dispensed),
    amphetamine: mergeSpans(amphetamine),
  };
}

/** Ingredients whose prescription (or, with `dispensed`, a dispense) covers [from, to]. */
function ingredientsDuring(p: Prescribed, from: Day, to: Day, dispensed = false): Set<string> {
  const out = new Set<string>();
  for (const [name, spans] of p.byIngredient) if (touches(spans, from, to)) out.add(name);
  if (dispensed)
    for (const [name, spans] of p.dispensedByIngredient) if (touches(spans, from, to)) out.add(name);
  return out;
}

function describe(o: ObservationInput): string {
  return o.code.text ?? o.code.codings.find((c) => c.display)?.display ?? 'urine drug screen';
}

const classWords = (cls: UdsClass): string => CLASS_WORDS[cls] ?? cls;

/**
 * The first three references of a group of screens, and how many more: one line in the report. The components of
 * one panel share its reference: it is named once.
 */
function someRefs(screens: readonly ObservationInput[]): string {
  const all = [...new Set(screens.map((o) => o.ref))];
  const refs = all.slice(0, 3).join(', ');
  return all.length > 3 ? `${refs} and ${all.length - 3} more` : refs;
}

/**
 * A screen not dated to the day: nothing to say (not a screen, outside the window, or a negative test for a
 * substance no prescription explains, expected whenever it was taken), evidence (a positive one of those whose every
 * possible day lies in the window: it needs no day to be judged), or unknown (whether a prescription explains it
 * needs its day).
 */
function judgeUndated(o: ObservationInput, ctx: RiskContext): Evidence | 'unknown' | undefined {
  const cls = udsClass(o.code.codings);
  if (!cls) return undefined;
  const when = observedWithin(o, ctx.asOf, ctx.rules.udsLookbackDays);
  if (when === 'no') return undefined;
  const outcome = NEVER_PRESCRIBED.has(cls) ? udsOutcome(o) : undefined;
  if (outcome === 'negative') return undefined;
  if (when === 'yes' && outcome === 'positive')
    return {
      reference: o.ref,
      date: observedOn(o),
      value: 'positive',
      detail: `${describe(o)}: positive for ${classWords(cls)}`,
    };
  return 'unknown';
}

/**
 * The screens an Observation holds: itself, or - a drugs-of-abuse panel that reports each substance as a component
 * (LOINC 46350-5 and the like) - each component that is a urine drug screen, with the panel's reference, status and
 * date. A panel whose components are not screens is judged as one Observation.
 */
function screensOf(o: ObservationInput): readonly ObservationInput[] {
  if (o.components.length === 0) return [o];
  const screens: ObservationInput[] = [];
  for (const c of o.components) {
    if (udsClass(c.code.codings) === undefined) continue;
    // The component's own value and interpretation, never the panel's.
    screens.push({ ...o, code: c.code, value: c.value, interpretation: c.interpretation, components: [] });
  }
  return screens.length > 0 ? screens : [o];
}

/** CDC Rec 10: positive for a substance not prescribed, or negative for the prescribed opioid, in 12 months. */
export function udsUnexpected(ctx: RiskContext): Flag | undefined {
  const evidence: Evidence[] = [];
  // What was prescribed is worked out once, and only when there is a screen to read.
  let prescribed: Prescribed | undefined;
  const window = ctx.rules.udsDetectionDays;
  // Screens without a readable result, by day: a panel of analytes is one line.
  const unreadable = new Map<Day, ObservationInput[]>();
  // Screens that may fall in the window but are not dated to the day: whether a prescription explains one is unknown.
  const undated: ObservationInput[] = [];
  for (const observation of ctx.record.observations) {
    if (!isUsableObservation(observation)) continue;
    for (const o of screensOf(observation)) {
      const day = o.effective;
      if (day === undefined) {
        const judged = judgeUndated(o, ctx);
        if (judged === 'unknown') undated.push(o);
        else if (judged) evidence.push(judged);
        continue;
      }
      if (!within(day, ctx.asOf, ctx.rules.udsLookbackDays)) continue;
      const cls = udsClass(o.code.codings);
      if (!cls) continue;
      const outcome = udsOutcome(o);
      if (!outcome) {
        const screens = unreadable.get(day);
        if (screens) screens.push(o);
        else unreadable.set(day, [o]);
        continue;
      }
      prescribed ??= prescriptions(ctx);
      let why: string | undefined;
      if (outcome === 'positive') {
        // A prescription or a dispense covering any of the days before the test explains a positive result.
        const recent = ingredientsDuring(prescribed, day - window, day, true);
        const expectedBy = (DETECTS[cls] ?? []).filter((i) => recent.has(i));
        if (NEVER_PRESCRIBED.has(cls)) why = `positive for ${classWords(cls)}`;
        else if (cls === 'amphetamine' && !touches(prescribed.amphetamine, day - window, day)) {
          why = 'positive for amphetamines, none prescribed';
        } else if (DETECTS[cls] && expectedBy.length === 0)
          why = `positive for ${classWords(cls)}, not prescribed`;
      } else {
        // A negative result is unexpected only while the prescription covers the test day.
        const current = ingredientsDuring(prescribed, day, day);
        const missing = (MUST_DETECT[cls] ?? []).filter((i) => current.has(i));
        if (missing.length > 0) why = `negative for prescribed ${missing.join(', ')}`;
      }
      if (why)
        evidence.push({
          reference: o.ref,
          date: formatDay(day),
          value: outcome,
          detail: `${describe(o)}: ${why}`,
        });
    }
  }
  for (const [day, screens] of unreadable) {
    const [first] = screens;
    if (!first) continue;
    const text =
      screens.length === 1
        ? `${describe(first)} of ${formatDay(day)} (${first.ref}) has no result read as positive or negative: whether it is unexpected is unknown`
        : `${screens.length} urine drug screens of ${formatDay(day)} (${someRefs(screens)}) have no result read as positive or negative: whether they are unexpected is unknown`;
    ctx.unread.push({ rule: 'uds', text });
  }
  const [first] = undated;
  if (first)
    ctx.unread.push({
      rule: 'uds',
      text:
        undated.length === 1
          ? `${describe(first)} (${first.ref}) is ${dateGap(first)}: whether it is unexpected is unknown`
          : `${undated.length} urine drug screens (${someRefs(undated)}) are not dated to the day: whether they are unexpected is unknown`,
    });
  if (evidence.length === 0) return undefined;
  return {
    code: 'uds-unexpected',
    rule: `urine drug screen in the last ${ctx.rules.udsLookbackDays} days positive for a non-prescribed opioid class, heroin (6-MAM), cocaine, PCP or amphetamines, or negative for the prescribed opioid`,
    source: 'CDC 2022 Recommendation 10; CDC urine drug screening value sets by substance',
    evidence,
  };
}

function numberOf(value: ObservationValue | undefined): number | undefined {
  if (value?.kind === 'number') return value.value;
  if (value?.kind === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value.text)) return Number(value.text);
  return undefined;
}

const COMM_MAX = 68;

const COMM_NAME = /current opioid misuse measure/i;
/** "COMM" alone, not another scale of the same family ("COMM-9"). */
const COMM_ABBREVIATION = /\bCOMM\b(?!-\d)/;

function namesComm(name: string | undefined): boolean {
  return name !== undefined && (COMM_NAME.test(name) || COMM_ABBREVIATION.test(name));
}

// Loops without intermediate arrays or closures: this runs for every observation of a long history.
function isComm(code: Concept): boolean {
  for (const c of code.codings)
    if (c.system === PROJECT_SYSTEMS.assessment && c.code?.trim() === 'comm-total') return true;
  if (namesComm(code.text)) return true;
  for (const c of code.codings) if (namesComm(c.display)) return true;
  return false;
}

/** COMM total >= 9 (>= 13 higher specificity) in 12 months (Butler 2007; MORE trial screening). */
export function commPositive(ctx: RiskContext): Flag | undefined {
  const { positive, highSpecificity, lookbackDays } = ctx.rules.comm;
  const evidence: Evidence[] = [];
  let highest = 0;
  for (const o of ctx.record.observations) {
    if (!isUsableObservation(o) || !isComm(o.code)) continue;
    const when = observedWithin(o, ctx.asOf, lookbackDays);
    if (when === 'no') continue;
    const score = numberOf(o.value);
    // The COMM total runs 0-68: anything else is not a COMM total, and whether the patient screened positive is
    // unknown - said, not read as a negative screen.
    if (score === undefined || score < 0 || score > COMM_MAX) {
      ctx.unread.push({
        rule: 'comm',
        text: `COMM result of ${observedOn(o)} (${o.ref}) has ${score === undefined ? 'no numeric total' : `a total of ${score}, outside 0-${COMM_MAX}`}: whether it is positive is unknown`,
      });
      continue;
    }
    if (score < positive) continue;
    if (when === 'unknown') {
      ctx.unread.push({
        rule: 'comm',
        text: `COMM total ${score} (${o.ref}) is ${dateGap(o)}: whether it falls in the last ${lookbackDays} days is unknown`,
      });
      continue;
    }
    highest = Math.max(highest, score);
    evidence.push({
      reference: o.ref,
      date: observedOn(o),
      value: score,
      detail: `COMM total ${score}`,
    });
  }
  if (evidence.length === 0) return undefined;
  return {
    code: 'comm-positive',
    rule: `Current Opioid Misuse Measure total >= ${positive} in the last ${lookbackDays} days (>= ${highSpecificity}: higher specificity)`,
    source: 'Butler SF et al., Pain 2007;130:144-156 (COMM); Garland 2022 MORE trial screening',
    evidence,
    detail: { highestScore: highest, highSpecificity: highest >= highSpecificity },
  };
}

/** A PHQ answer in words or with its score first ("1 - Several days"). */
function phqScoreOfText(text: string): number | undefined {
  const lower = text.toLowerCase();
  const leading = /^\s*([0-3])\b/.exec(lower)?.[1];
  if (leading !== undefined) return Number(leading);
  if (/nearly every day/.test(lower)) return 3;
  if (/more than half/.test(lower)) return 2;
  if (/several days/.test(lower)) return 1;
  if (/not at all/.test(lower)) return 0;
  return undefined;
}

function phqScore(value: ObservationValue | undefined): number | undefined {
  const n = numberOf(value);
  // A PHQ-9 item is answered 0-3; any other number (-1, 7, 1e308) is an error in the record: unread, never "no".
  if (n !== undefined) return Number.isInteger(n) && n >= 0 && n <= 3 ? n : undefined;
  if (value?.kind === 'string') return phqScoreOfText(value.text);
  if (value?.kind !== 'concept') return undefined;
  for (const c of value.concept.codings) {
    const score = c.code === undefined ? undefined : PHQ_ANSWER_SCORES.get(c.code.trim());
    if (score !== undefined) return score;
  }
  return phqScoreOfText([value.concept.text, ...value.concept.codings.map((c) => c.display)].join(' '));
}

const isItem9 = (code: Concept): boolean =>
  code.codings.some((c) => isSystem(c, 'loinc') && c.code === PHQ9_ITEM9_LOINC);

/** PHQ-9 item 9 (LOINC 44260-8) > 0 in 90 days, alone or as a component of a PHQ-9 panel: a safety pathway. */
export function selfHarmRisk(ctx: RiskContext): Flag | undefined {
  const evidence: Evidence[] = [];
  const days = ctx.rules.selfHarmLookbackDays;
  for (const o of ctx.record.observations) {
    if (!isUsableObservation(o)) continue;
    const when = observedWithin(o, ctx.asOf, days);
    if (when === 'no') continue;
    const answers = [
      ...(isItem9(o.code) ? [o.value] : []),
      ...o.components.filter((c) => isItem9(c.code)).map((c) => c.value),
    ];
    for (const answer of answers) {
      const score = phqScore(answer);
      if (when === 'unknown') {
        // An answer of 0 says nothing whenever it was given; any other may be recent.
        if (score === 0) continue;
        ctx.unread.push({
          rule: 'self-harm',
          text: `PHQ-9 item 9 ${score === undefined ? 'with no answer that can be read' : `answered ${score}`} (${o.ref}) is ${dateGap(o)}: whether it reports thoughts of self-harm in the last ${days} days is unknown`,
        });
      } else if (score === undefined) {
        ctx.unread.push({
          rule: 'self-harm',
          text: `PHQ-9 item 9 of ${observedOn(o)} (${o.ref}) has no answer that can be read: whether it reports thoughts of self-harm is unknown`,
        });
      } else if (score > 0) {
        evidence.push({
          reference: o.ref,
          date: observedOn(o),
          value: score,
          detail: `PHQ-9 item 9 answered ${score} (thoughts of self-harm)`,
        });
      }
    }
  }
  if (evidence.length === 0) return undefined;
  return {
    code: 'self-harm-risk',
    rule: `PHQ-9 item 9 (LOINC ${PHQ9_ITEM9_LOINC}) > 0 in the last ${ctx.rules.selfHarmLookbackDays} days`,
    source: 'safety pathway (clinical brief 3); PHQ-9, Kroenke et al. 2001',
    evidence,
  };
}
