/** Plain-words lines for card details: the dose and its trend, and each flag with its evidence. */
import type { MmeAnalysis } from '../domain/opioid/mme-analysis.ts';
import type { OrderAnalysis } from '../domain/opioid/order-analysis.ts';
import { FLAG_NAMES } from '../domain/risk/flag-names.ts';
import type { Flag } from '../domain/risk/flag.types.ts';
import { markdownText } from './markdown-text.ts';

/**
 * A figure that may be a lower bound (days or orders of unknown dose): "30", "at least 30", or - when nothing of it
 * is known - "unknown", never 0.
 */
export function boundedMme(value: number, complete: boolean): string {
  if (complete) return `${value} MME/day`;
  return value > 0 ? `at least ${value} MME/day` : 'unknown MME/day';
}

export function doseLine(mme: MmeAnalysis): string {
  const t = mme.trend;
  const average = t.averages.last90Days;
  const parts = [
    mme.complete
      ? `current dose **${mme.totalMme} MME/day**`
      : `current dose **${boundedMme(mme.totalMme, false)}** (an active order has an unknown dose)`,
    `90-day average ${boundedMme(average.mme, average.complete)}`,
  ];
  if (t.escalation.detected)
    parts.push(
      `rising: from ${t.escalation.fromMme} MME/day on ${t.escalation.sinceDate} to ${t.escalation.toMme}, at that level since ${t.escalation.levelSince ?? 'unknown'}${t.escalation.complete ? '' : ' (days of unknown dose in between)'}`,
    );
  else if (t.taper.detected)
    parts.push(
      `tapering: down ${t.taper.decreasePct}% over 90 days${t.taper.fasterThanRecommended ? `, up to ${t.taper.pctPerMonth}% in a month: faster than CDC 2022's 10% a month (Recommendation 5: never abrupt)` : ''}`,
    );
  if (t.longTermOpioidTherapy)
    parts.push(
      `opioids on ${t.longTermOpioidTherapyDetail.coveredDays} of the last ${t.longTermOpioidTherapyDetail.windowDays} days`,
    );
  return parts.join('; ');
}

/** "- Unexpected urine drug screen: Benzoylecgonine ...: positive for cocaine (2026-01-05)" */
export function flagLines(flags: readonly Flag[], codes: readonly Flag['code'][]): string[] {
  return flags
    .filter((f) => codes.includes(f.code))
    .map((f) => {
      const facts = f.evidence
        .slice(0, 3)
        .map((e) => markdownText(`${e.detail}${e.date && !e.detail.includes(e.date) ? ` (${e.date})` : ''}`))
        .join('; ');
      const more = f.evidence.length > 3 ? `; and ${f.evidence.length - 3} more` : '';
      const summary = f.summary === undefined ? '' : `${markdownText(f.summary)} - `;
      return `- ${FLAG_NAMES[f.code]}: ${summary}${facts}${more}`;
    });
}

/** "- Oxycodone 5 mg ...: 30 MME/day", and for an order whose MME is unknown, why (each reason once). */
export function orderLine(o: OrderAnalysis): string {
  const explanation = markdownText(o.explanation);
  // Buprenorphine is not converted to MME (factor-sets.ts): its explanation says so; no dose is unknown.
  if (o.mme !== null || o.dose.excluded) return `- ${explanation}`;
  // An explanation without a dose method already names the first reason ("...: MME unknown - <reason>").
  const untold = o.reasons.filter((r) => !o.explanation.includes(r));
  if (untold.length > 0) return `- ${explanation}. Why unknown: ${markdownText(untold.join('; '))}`;
  return o.explanation.includes('MME unknown')
    ? `- ${explanation}`
    : `- ${explanation}. Why unknown: no usable dose`;
}
