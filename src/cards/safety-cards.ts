/**
 * Safety cards, one per safety action of the decision: naloxone (CDC Rec 8), benzodiazepine co-prescribing (Rec 11),
 * MOUD evaluation (Rec 12), behavioural-health safety (PHQ-9 item 9). Each says why with the flag's evidence.
 */
import type { BundleAnalysis } from '../analysis/analyze-bundle.ts';
import type { SafetyAction } from '../domain/risk/referral-decision.ts';
import { SYSTEMS } from '../domain/terminology/code-systems.ts';
import {
  completenessNote,
  OVERRIDE_REASONS,
  requesterOf,
  source,
  summary,
  trendLink,
  type Topic,
} from './card-common.ts';
import type { Card, CardContext, Indicator, Suggestion } from './card.types.ts';
import { boundedMme, doseLine, flagLines } from './explain.ts';

/** RxNorm 1725059: naloxone hydrochloride 40 MG/ML nasal spray (the 4 mg spray; CDC value set naloxone-medications). */
const NALOXONE_SPRAY = {
  system: SYSTEMS.rxnorm,
  code: '1725059',
  display: 'naloxone hydrochloride 40 MG/ML Nasal Spray',
};

interface SafetyContent {
  readonly topic: Topic;
  readonly indicator: Indicator;
  readonly summary: (a: BundleAnalysis) => string;
  readonly advice: string;
  /** The advice when thoughts of self-harm defer every group programme, where it differs. */
  readonly adviceWhenSelfHarm?: string;
  readonly flags: Parameters<typeof flagLines>[1];
}

const CONTENT: Record<SafetyAction, SafetyContent> = {
  'behavioral-health-safety': {
    topic: 'bhsafety',
    indicator: 'critical',
    summary: () => 'Thoughts of self-harm reported (PHQ-9 item 9): assess safety before any other change',
    advice:
      'Assess suicide risk today and arrange behavioural-health follow-up. Avoid abrupt opioid discontinuation, which raises overdose and suicide risk (CDC 2022). Group programme referral is deferred until safety is addressed.',
    flags: ['self-harm-risk'],
  },
  'moud-evaluation': {
    topic: 'moudevaluation',
    indicator: 'critical',
    summary: () =>
      'Moderate/severe opioid use disorder without MOUD: evaluate for buprenorphine, methadone or naltrexone',
    advice:
      'Offer or arrange evidence-based medication for opioid use disorder (CDC 2022 Recommendation 12). Mindfulness-Oriented Recovery Enhancement can be added as an adjunct, not a replacement.',
    // With thoughts of self-harm the group programme waits (brief 5.2): the MOUD card does not offer it.
    adviceWhenSelfHarm:
      'Offer or arrange evidence-based medication for opioid use disorder (CDC 2022 Recommendation 12), alongside the behavioural-health safety assessment.',
    flags: ['oud-diagnosis'],
  },
  naloxone: {
    topic: 'naloxone',
    indicator: 'warning',
    // The summary names what makes the risk: the dose only when it is the reason (>= 50).
    summary: (a) => {
      const flagged = new Set(a.risk.flags.map((f) => f.code));
      const why = [
        ...(flagged.has('high-dose-50') ? [boundedMme(a.mme.totalMme, a.mme.complete)] : []),
        ...(flagged.has('benzodiazepine-overlap') ? ['opioids with a benzodiazepine'] : []),
        ...(flagged.has('overdose-history') ? ['a past overdose'] : []),
        ...(flagged.has('oud-diagnosis') ? ['opioid use disorder'] : []),
      ];
      const reasons = why.length > 0 ? why.join(', ') : boundedMme(a.mme.totalMme, a.mme.complete);
      return `Offer naloxone: overdose risk (${reasons}) and no naloxone prescribed in 12 months`;
    },
    advice: 'Offer naloxone and overdose education to the patient and household (CDC 2022 Recommendation 8).',
    flags: ['high-dose-50', 'benzodiazepine-overlap', 'overdose-history', 'oud-diagnosis'],
  },
  'benzodiazepine-review': {
    topic: 'benzoreview',
    indicator: 'warning',
    summary: () => 'Opioid and benzodiazepine prescribed together: review the combination',
    advice:
      'Use particular caution prescribing opioids and benzodiazepines concurrently (CDC 2022 Recommendation 11); weigh benefits and risks, consider a gradual benzodiazepine taper, and offer naloxone.',
    flags: ['benzodiazepine-overlap'],
  },
};

function naloxoneSuggestion(ctx: CardContext): Suggestion {
  const requester = requesterOf(ctx);
  return {
    label: 'Prescribe naloxone 4 mg nasal spray',
    uuid: ctx.newId(),
    actions: [
      {
        type: 'create',
        description: 'Draft a naloxone 4 mg nasal spray prescription',
        resource: {
          resourceType: 'MedicationRequest',
          status: 'draft',
          intent: 'proposal',
          medicationCodeableConcept: { coding: [NALOXONE_SPRAY], text: 'Naloxone 4 mg nasal spray' },
          subject: { reference: `Patient/${ctx.patientId}` },
          authoredOn: ctx.today,
          ...requester,
          dosageInstruction: [
            {
              text: 'For suspected opioid overdose: 1 spray in one nostril; may repeat in 2-3 minutes in the other nostril.',
              asNeededBoolean: true,
            },
          ],
          dispenseRequest: { quantity: { value: 2, unit: 'spray device' } },
        },
      },
    ],
  };
}

export function safetyCards(
  analysis: BundleAnalysis,
  ctx: CardContext,
  actions: readonly SafetyAction[] = analysis.risk.referral.safetyActions,
): Card[] {
  return actions.map((action) => {
    const content = CONTENT[action];
    const evidence = flagLines(analysis.risk.flags, content.flags);
    const suggestions = action === 'naloxone' ? [naloxoneSuggestion(ctx)] : [];
    return {
      uuid: ctx.newId(),
      summary: summary(content.summary(analysis)),
      detail:
        [
          analysis.risk.referral.branch === 'self-harm'
            ? (content.adviceWhenSelfHarm ?? content.advice)
            : content.advice,
          '',
          `**Current opioids:** ${doseLine(analysis.mme)}.`,
          ...(evidence.length > 0 ? ['', ...evidence] : []),
        ].join('\n') + completenessNote(ctx),
      indicator: content.indicator,
      source: source(ctx, content.topic),
      ...(suggestions.length > 0 ? { suggestions, selectionBehavior: 'any' as const } : {}),
      overrideReasons: OVERRIDE_REASONS.safety,
      links: [trendLink(ctx)],
    };
  });
}
