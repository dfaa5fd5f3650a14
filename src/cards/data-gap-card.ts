/**
 * The card that says what a rule needed and could not know: an order in effect today whose Medication could not be
 * read (so whether it is an opioid is unknown) or whose dose cannot be computed, when the patient-view would
 * otherwise say nothing; a PHQ-9 item 9 answer that could not be read (whether it reports thoughts of self-harm is
 * unknown), always. Without it the answer could be `{"cards": []}`, which a clinician reads as "nothing to report":
 * an unknown reported as nothing (ADR 0014).
 */
import type { BundleAnalysis } from '../analysis/analyze-bundle.ts';
import {
  completenessNote,
  LISTED_GAPS,
  OVERRIDE_REASONS,
  source,
  summary,
  trendLink,
} from './card-common.ts';
import type { Card, CardContext } from './card.types.ts';
import { doseLine, orderLine } from './explain.ts';
import { markdownText } from './markdown-text.ts';
import { parseIsoDate } from '../domain/time/day.ts';

const count = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** Whether an opioid order of the record ended before today (its supply ran out): "only past ones". */
function endedBefore(analysis: BundleAnalysis, today: string): boolean {
  const day = parseIsoDate(today);
  return (
    day !== undefined &&
    analysis.mme.orders.some((o) => o.product.opioid === 'yes' && o.coverage !== null && o.coverage.end < day)
  );
}

/**
 * The card, or undefined when there is nothing to say of. `alone`: whether no other card is due (those say "at
 * least" and carry the "Data not complete" line); then, for a patient who is not excluded, it speaks of orders of
 * unknown dose, and - for a patient on opioids, or whose medication orders could not all be read (whether they are
 * on opioids is then unknown) - of data that could not be read or checked (a failed or partial search, a result
 * the rules cannot read): "nothing to suggest" from part of the record is not an all-clear. An
 * unreadable PHQ-9 item 9 is spoken of for every patient, excluded or not and whatever other card is due, unless
 * the behavioural-health card is already there: the self-harm pathway is never silenced.
 */
export function dataGapCard(
  analysis: BundleAnalysis,
  ctx: CardContext,
  options: { readonly alone: boolean },
): Card | undefined {
  const alone = options.alone && analysis.risk.exclusions.length === 0;
  const gaps = alone ? analysis.mme.orders.filter((o) => o.status === 'incomplete') : [];
  const safetyCardDue = analysis.risk.referral.safetyActions.includes('behavioral-health-safety');
  const selfHarm = safetyCardDue ? [] : analysis.risk.unread.filter((u) => u.rule === 'self-harm');
  const listed = new Set(selfHarm.map((u) => u.text));
  const onOpioids = analysis.mme.orders.some((o) => o.status === 'counted' || o.status === 'incomplete');
  const unchecked =
    alone && (onOpioids || ctx.ordersIncomplete === true) ? ctx.partial.filter((p) => !listed.has(p)) : [];
  if (gaps.length === 0 && selfHarm.length === 0 && unchecked.length === 0) return undefined;
  const unidentified = gaps.filter((o) => o.product.opioid === 'unknown').length;
  const unknownDose = gaps.length - unidentified;
  const parts = [
    ...(selfHarm.length > 0
      ? [
          selfHarm.length === 1
            ? 'a PHQ-9 item 9 answer could not be read'
            : `${selfHarm.length} PHQ-9 item 9 answers could not be read`,
        ]
      : []),
    ...(unidentified > 0
      ? [`${count(unidentified, 'medication order', 'medication orders')} could not be identified`]
      : []),
    ...(unknownDose > 0
      ? [`the dose of ${count(unknownDose, 'opioid order is', 'opioid orders are')} unknown`]
      : []),
  ];
  if (parts.length === 0) parts.push('part of the record could not be read or checked');
  const headline = `${selfHarm.length > 0 ? 'Safety check' : 'Opioid check'} incomplete: ${parts.join('; ')}`;
  const known = analysis.mme.orders.some((o) => o.product.opioid === 'yes' && o.status === 'counted');
  const more = gaps.length - LISTED_GAPS;
  const detail = [
    ...(selfHarm.length > 0
      ? [
          'Whether the patient reported thoughts of self-harm is unknown: read the answer in the chart.',
          ...selfHarm.map((u) => `- ${markdownText(u.text)}`),
          '',
        ]
      : []),
    ...(gaps.length > 0
      ? [
          'These orders may be in effect today, but their daily dose in MME is unknown (for an order that could not be identified, also whether it is an opioid). The MME total, the naloxone check (50 MME/day, CDC 2022 Recommendation 8) and the referral to a psychological programme could not take them into account. An unknown dose is not counted as 0.',
          '',
          ...gaps.slice(0, LISTED_GAPS).map(orderLine),
          ...(more > 0 ? [`- and ${more} more`] : []),
          ...(known ? ['', `**Current opioids:** ${doseLine(analysis.mme)}.`] : []),
          '',
          'Check these orders in the chart; the MME trend lists every order with what is missing.',
        ]
      : []),
    ...(gaps.length === 0 && selfHarm.length === 0
      ? [
          onOpioids
            ? `The patient is on opioids (${doseLine(analysis.mme)}). Nothing in what could be read calls for a referral or a safety action, but the checks could not see everything: this is not an all-clear. What could not be read is listed below.`
            : `${endedBefore(analysis, ctx.today) ? 'No current opioid order (only past ones)' : 'No opioid order in effect today'} was found in what could be read, but the medication orders could not all be read: whether the patient is on opioids is unknown, and this is not an all-clear. What could not be read is listed below.`,
        ]
      : []),
  ]
    .join('\n')
    .trimEnd();
  return {
    uuid: ctx.newId(),
    summary: summary(headline),
    // The self-harm lines are given above; the note lists what else could not be read.
    detail: detail + completenessNote({ ...ctx, partial: ctx.partial.filter((p) => !listed.has(p)) }),
    // An unreadable self-harm answer may hide a critical card: it asks to be looked at.
    indicator: selfHarm.length > 0 ? 'warning' : 'info',
    source: source(ctx, 'datagap'),
    overrideReasons: OVERRIDE_REASONS.dataGap,
    links: [trendLink(ctx)],
  };
}
