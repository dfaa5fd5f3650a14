/**
 * The referral card: MORE, or MBT and CBT as two equal suggestions (never one ranked above the other). The detail
 * says why (flags and their evidence, dose and trend), what the programme is, the evidence, and whether the patient
 * matches the trial population. Each suggestion creates a draft referral ServiceRequest.
 */
import type { BundleAnalysis } from '../analysis/analyze-bundle.ts';
import type { FlagCode } from '../domain/risk/flag.types.ts';
import { PROJECT_SYSTEMS, SYSTEMS } from '../domain/terminology/code-systems.ts';
import {
  completenessNote,
  OVERRIDE_REASONS,
  requesterOf,
  source,
  summary,
  trendLink,
} from './card-common.ts';
import type { Card, CardContext, Suggestion } from './card.types.ts';
import { doseLine, flagLines } from './explain.ts';
import { PROGRAMMES, type ProgrammeContent } from './programme-content.ts';
import { markdownText } from './markdown-text.ts';

/** SNOMED CT 81294000 "Patient referral for psychotherapy" (clinical brief 6). */
const REFERRAL_CATEGORY = {
  system: SYSTEMS.snomed,
  code: '81294000',
  display: 'Patient referral for psychotherapy',
};
/** SNOMED CT 304891004 "Cognitive behavioural therapy" (clinical brief 6). */
const CBT_SNOMED = { system: SYSTEMS.snomed, code: '304891004', display: 'Cognitive behavioral therapy' };

const REASON_FLAGS: readonly FlagCode[] = [
  'comm-positive',
  'uds-unexpected',
  'multiple-prescribers',
  'early-refill',
  'oud-diagnosis',
  'dose-escalation',
  'long-term-opioid-therapy',
];

/** A literal FHIR reference to a resource of the record: "Type/id", or the absolute URL ending in it. */
const FHIR_REFERENCE = /^(https?:\/\/[^\s]+\/)?[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/;

function serviceRequest(
  ctx: CardContext,
  programme: ProgrammeContent,
  reason: string,
  painRefs: readonly string[],
): Record<string, unknown> {
  const requester = requesterOf(ctx);
  return {
    resourceType: 'ServiceRequest',
    status: 'draft',
    intent: 'proposal',
    category: [{ coding: [REFERRAL_CATEGORY] }],
    code: {
      coding: [
        { system: PROJECT_SYSTEMS.referralProgram, code: programme.code, display: programme.name },
        ...(programme.code === 'cbt' ? [CBT_SNOMED] : []),
      ],
      text: programme.name,
    },
    subject: { reference: `Patient/${ctx.patientId}` },
    authoredOn: ctx.today,
    ...requester,
    reasonCode: [{ text: reason }],
    ...(painRefs.length > 0 ? { reasonReference: painRefs.map((reference) => ({ reference })) } : {}),
    note: [{ text: `${programme.format} Suggested by opioid-pain-cds.` }],
  };
}

function suggestion(
  ctx: CardContext,
  programme: ProgrammeContent,
  reason: string,
  painRefs: readonly string[],
): Suggestion {
  return {
    label: `Refer to ${programme.name}`,
    uuid: ctx.newId(),
    actions: [
      {
        type: 'create',
        description: `Draft a referral to ${programme.name}`,
        resource: serviceRequest(ctx, programme, reason, painRefs),
      },
    ],
  };
}

export function referralCard(analysis: BundleAnalysis, ctx: CardContext): Card | undefined {
  const { referral, flags } = analysis.risk;
  if (referral.recommendation === 'NONE' || referral.suppressed) return undefined;
  const isMore = referral.recommendation === 'MORE';
  const programmes = isMore ? [PROGRAMMES.more] : [PROGRAMMES.mbt, PROGRAMMES.cbt];
  // Only references the EHR can resolve: an entry without an id, or known only by a urn:uuid of the request's
  // Bundle, names nothing in its record.
  const painRefs = referral.painConditionRefs.filter((r) => FHIR_REFERENCE.test(r));
  // Chronic pain is said only when it is on record: a patient may be referred for misuse or OUD while on opioids,
  // or for long-term opioid therapy, without a pain diagnosis.
  const pain = referral.chronicPain;
  const moudFirst = referral.branch === 'oud-moud-first';
  const reason = isMore
    ? moudFirst
      ? `Opioid use disorder${pain ? ' with chronic pain' : ''}: MORE alongside MOUD`
      : `Opioid misuse signals in a patient${pain ? ' with chronic pain' : ''} on opioids`
    : pain
      ? 'Chronic pain on opioid therapy'
      : 'Long-term opioid therapy (no chronic pain diagnosis on record)';
  const why = flagLines(flags, REASON_FLAGS);
  const trial = referral.trialPopulation;
  const headline = isMore
    ? moudFirst
      ? `Offer MORE alongside MOUD: opioid use disorder${pain ? ' with chronic pain' : ''}`
      : `Offer MORE (Mindfulness-Oriented Recovery Enhancement): ${referral.misuseSignals.length} opioid misuse signal${referral.misuseSignals.length === 1 ? '' : 's'}`
    : `Offer mindfulness-based therapy or CBT for ${pain ? 'chronic pain on opioids' : 'long-term opioid therapy'} (equal options)`;
  const detail = [
    `**Why:** ${doseLine(analysis.mme)}.`,
    ...(why.length > 0 ? ['', ...why] : []),
    '',
    // The trial match has its own line below.
    `**Decision:** ${markdownText(referral.rationale.filter((r) => r !== trial?.summary).join('; '))}.`,
    ...programmes.flatMap((p) => ['', `**${p.name}:** ${p.format}`]),
    ...(isMore
      ? []
      : [
          '',
          'MBT and CBT are equal options: neither was superior; patient preference and availability decide.',
        ]),
    '',
    `**Evidence:** ${programmes[0]?.evidence ?? ''}`,
    ...(trial ? ['', `**Trial population:** ${trial.summary}.`] : []),
  ].join('\n');
  return {
    uuid: ctx.newId(),
    summary: summary(headline),
    detail: detail + completenessNote(ctx),
    indicator: 'info',
    source: source(ctx, isMore ? 'referralmore' : 'referralmbtcbt'),
    suggestions: programmes.map((p) => suggestion(ctx, p, reason, painRefs)),
    selectionBehavior: 'any',
    overrideReasons: OVERRIDE_REASONS.referral,
    links: [trendLink(ctx)],
  };
}
