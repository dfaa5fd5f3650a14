/**
 * Referral programmes (the project's CodeSystem referral-program: more, mbt, cbt; CBT also SNOMED CT 304891004 and
 * 228557008) and how a past referral or a patient's report of completion is recognised (brief 5.6).
 */
import type { Concept, ServiceRequestInput } from '../record/record.types.ts';
import { isSystem, PROJECT_SYSTEMS } from '../terminology/code-systems.ts';
import { formatDay } from '../time/day.ts';
import type { Evidence } from './flag.types.ts';
import { isUsableObservation, within, type RiskContext } from './risk-context.ts';

export type Programme = 'more' | 'mbt' | 'cbt';

const CBT_SNOMED = new Set(['304891004', '228557008']);

/** CBT for insomnia (CBT-I) or for another condition: a different service from CBT for chronic pain. */
const OTHER_CBT = /insomnia|CBT-I\b|depress|anxiety|panic/i;

/** The programme a concept names: by code first, then by its words. */
export function programmeOf(concept: Concept): Programme | undefined {
  const text = [concept.text, ...concept.codings.map((c) => c.display)].filter(Boolean).join(' ');
  for (const c of concept.codings) {
    const code = c.code?.trim().toLowerCase();
    if (c.system === PROJECT_SYSTEMS.referralProgram && (code === 'more' || code === 'mbt' || code === 'cbt'))
      return code;
    // SNOMED's CBT codes name the therapy, not what it treats: "CBT for depression" is not the pain programme.
    if (
      isSystem(c, 'snomed') &&
      c.code !== undefined &&
      CBT_SNOMED.has(c.code.trim()) &&
      !OTHER_CBT.test(text)
    )
      return 'cbt';
  }
  // The acronym only in capitals: "more" is an ordinary word.
  if (/mindfulness[- ]oriented recovery enhancement/i.test(text) || /\bMORE\b/.test(text)) return 'more';
  // Only the programmes themselves: mindfulness-based stress reduction classes and CBT for insomnia (CBT-I) or
  // other conditions are different services.
  if (/mindfulness[- ]based (?:therapy|intervention|treatment|pain)/i.test(text)) return 'mbt';
  if (/cognitive[- ]behaviou?ral (?:therapy|treatment)/i.test(text) && !OTHER_CBT.test(text)) {
    return 'cbt';
  }
  return undefined;
}

const REFERRAL_STATUSES = new Set(['active', 'completed']);
/** A referral is an order; a proposal or a plan is a suggestion (FHIR R4 request-intent). */
const REFERRAL_INTENTS = new Set([
  'order',
  'original-order',
  'reflex-order',
  'filler-order',
  'instance-order',
]);

function referralDate(s: ServiceRequestInput): number | undefined {
  return s.authored ?? s.occurrence;
}

/**
 * Referrals to any of `programmes` active or completed in the look-back, and patient reports of having completed
 * one (an Observation coded assessment#program-completed whose value names the programme).
 */
export function priorReferrals(ctx: RiskContext, programmes: readonly Programme[]): Evidence[] {
  const days = ctx.rules.suppressionLookbackDays;
  const evidence: Evidence[] = [];
  for (const s of ctx.record.serviceRequests) {
    const programme = programmeOf(s.code);
    const date = referralDate(s);
    if (!programme || !programmes.includes(programme) || !REFERRAL_STATUSES.has(s.status ?? '')) continue;
    if (s.intent !== undefined && !REFERRAL_INTENTS.has(s.intent)) continue;
    if (!within(date, ctx.asOf, days)) continue;
    evidence.push({
      reference: s.ref,
      date: formatDay(date),
      value: programme,
      detail: `${programme.toUpperCase()} referral ${s.status}`,
    });
  }
  for (const o of ctx.record.observations) {
    const reported = o.code.codings.some(
      (c) => c.system === PROJECT_SYSTEMS.assessment && c.code?.trim() === 'program-completed',
    );
    if (
      !reported ||
      !isUsableObservation(o) ||
      o.value?.kind !== 'concept' ||
      !within(o.effective, ctx.asOf, days)
    )
      continue;
    const programme = programmeOf(o.value.concept);
    if (programme && programmes.includes(programme)) {
      evidence.push({
        reference: o.ref,
        date: formatDay(o.effective),
        value: programme,
        detail: `patient reports completing ${programme.toUpperCase()}`,
      });
    }
  }
  return evidence;
}
