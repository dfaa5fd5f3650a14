/**
 * The card for a patient-view that would otherwise say nothing while the current dose is unknown: an order whose
 * Medication could not be read (so whether it is an opioid is unknown) or an opioid order whose dose cannot be
 * computed. Without it the answer would be `{"cards": []}`, which a clinician reads as "nothing to report":
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

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** The card, or undefined when the current dose is known (or the patient is excluded). */
export function dataGapCard(analysis: BundleAnalysis, ctx: CardContext): Card | undefined {
  if (analysis.mme.complete || analysis.risk.exclusions.length > 0) return undefined;
  const gaps = analysis.mme.orders.filter((o) => o.status === 'incomplete');
  if (gaps.length === 0) return undefined;
  const unidentified = gaps.filter((o) => o.product.opioid === 'unknown').length;
  const headline =
    unidentified > 0
      ? `Opioid check incomplete: ${plural(unidentified, 'current medication order', 'current medication orders')} could not be identified`
      : `Opioid check incomplete: the dose of ${plural(gaps.length, 'current opioid order is', 'current opioid orders are')} unknown`;
  const known = analysis.mme.orders.some((o) => o.product.opioid === 'yes' && o.status === 'counted');
  const more = gaps.length - LISTED_GAPS;
  const detail = [
    unidentified > 0
      ? 'Whether these orders are opioids, and their daily dose in MME, are unknown.'
      : 'The daily dose of these orders in MME cannot be computed.',
    'The MME total, the naloxone check (50 MME/day, CDC 2022 Recommendation 8) and the referral to a psychological programme could not take them into account. An unknown dose is not counted as 0.',
    '',
    ...gaps.slice(0, LISTED_GAPS).map(orderLine),
    ...(more > 0 ? [`- and ${more} more`] : []),
    ...(known ? ['', `**Current opioids:** ${doseLine(analysis.mme)}.`] : []),
    '',
    'Check these orders in the chart; the MME trend lists every order with what is missing.',
  ].join('\n');
  return {
    uuid: ctx.newId(),
    summary: summary(headline),
    detail: detail + completenessNote(ctx),
    indicator: 'info',
    source: source(ctx, 'datagap'),
    overrideReasons: OVERRIDE_REASONS.dataGap,
    links: [trendLink(ctx)],
  };
}
