/**
 * The card for an opioid being ordered (order-select, order-sign): what it adds to the patient's daily MME, e.g.
 * "This order brings the total from 40 to 85 MME/day". Crossing 50 or 90 MME/day, or raising a total already at or
 * above one, is a warning; an order whose MME cannot be computed says so and why.
 */
import type { BundleAnalysis } from '../analysis/analyze-bundle.ts';
import { completenessNote, OVERRIDE_REASONS, source, summary, trendLink } from './card-common.ts';
import type { Card, CardContext } from './card.types.ts';
import { boundedMme, orderLine } from './explain.ts';
import { reaches } from '../domain/trend/round.ts';
import { renewalNote } from '../domain/opioid/renewals.ts';
import { revisedId } from '../domain/opioid/order-id.ts';
import { markdownText } from './markdown-text.ts';
import { formatDay, isPartialFhirDate, parseIsoDate, type Day } from '../domain/time/day.ts';

/** Orders a card lists one by one (an EHR may sign hundreds at once). */
const LISTED_DRAFTS = 10;

const THRESHOLDS = [
  {
    mme: 90,
    advice:
      'at or above 90 MME/day: avoid, or carefully justify (CDC 2016 Recommendation 5; CDC 2022 Recommendation 4: risks keep rising with the dose)',
  },
  {
    mme: 50,
    advice:
      'at or above 50 MME/day: reassess benefits and risks before any increase and offer naloxone (CDC 2022 Recommendations 4 and 8)',
  },
] as const;

/** What the card says of a draft whose validity start cannot be read as a day, counted from `from` instead. */
function unreadStartLine(written: string, from: Day | undefined): string {
  const partial = isPartialFhirDate(written);
  return `The validity start of this order ("${markdownText(written.slice(0, 40))}") is not ${partial ? 'a full' : 'a valid'} date: it is counted from ${from === undefined ? 'today' : formatDay(from)}, the day it is signed. Enter ${partial ? 'the full' : 'a valid'} date to have the total of a later start checked.`;
}

export function orderCard(
  before: BundleAnalysis,
  after: BundleAnalysis,
  draftIds: ReadonlySet<string>,
  ctx: CardContext,
  options: {
    /** Draft id -> the MedicationRequest it replaces (priorPrescription). */
    readonly replaces?: ReadonlyMap<string, string>;
    /** Draft id -> its validity start as written, when that cannot be read as a day. */
    readonly unreadStarts?: ReadonlyMap<string, string>;
    /**
     * Drafts that start after today (a prescription to be filled from a later date): the record with them on the
     * day the total is highest, which the card gives instead of today's.
     */
    readonly later?: {
      readonly day: Day;
      readonly analysis: BundleAnalysis;
      /** The record without the drafts on that day: what the order changes then. */
      readonly before: BundleAnalysis;
    };
  } = {},
): Card | undefined {
  const drafts = after.mme.orders.filter((o) => draftIds.has(o.id) && o.product.opioid !== 'no');
  if (drafts.length === 0) return undefined;
  const replaces = options.replaces ?? new Map<string, string>();
  const later = options.later;
  const shown = later?.analysis ?? after;
  const when = later ? ` from ${formatDay(later.day)}` : '';
  const base = later?.before ?? before;
  const from = base.mme.totalMme;
  const to = shown.mme.totalMme;
  // Buprenorphine is not converted to MME: excluded, not unknown.
  const isUnknown = (o: (typeof drafts)[number]): boolean => o.mme === null && !o.dose.excluded;
  const unknown = drafts.filter(isUnknown);
  // Thresholds compare the unrounded totals (49.95 has not reached 50); the text shows them rounded.
  const exactFrom = base.mme.exactTotalMme;
  const exactTo = shown.mme.exactTotalMme;
  // A total with an order of unknown dose, or from orders not all read, is a lower bound: "from 30" may be 60 already,
  // so no crossing is claimed from it - only that the new total is at or above a threshold.
  const fromKnown = base.mme.complete && !ctx.ordersIncomplete;
  const toKnown = shown.mme.complete && !ctx.ordersIncomplete;
  const crossed = fromKnown
    ? THRESHOLDS.find((t) => !reaches(exactFrom, t.mme) && reaches(exactTo, t.mme))
    : undefined;
  const above = THRESHOLDS.find((t) => exactTo >= t.mme);
  // Raising a total that is already at or above a threshold is no safer than crossing it.
  const raisesAbove = fromKnown && above !== undefined && !crossed && exactTo > exactFrom;
  // A renewal signed a few days early is counted after the supply it renews: the dose goes on, it does not double.
  const renewals = drafts.map(renewalNote);
  // A draft that names the order it replaces (priorPrescription) renews it when it goes on at the same dose from
  // today; one that changes the dose, or starts later, is said as what it is.
  const asOf = parseIsoDate(ctx.today);
  const replacing = drafts.map((o) => {
    const prior = replaces.get(o.id);
    if (prior === undefined || o.coverage === null) return undefined;
    const priorMme = before.mme.orders.find((b) => b.id === prior)?.mme ?? null;
    const start = o.coverage.start;
    return {
      prior,
      start,
      renews: priorMme !== null && o.mme === priorMme && asOf !== undefined && start <= asOf,
    };
  });
  const allRenewals = drafts.every((_, i) => renewals[i] !== undefined || replacing[i]?.renews === true);
  let headline: string;
  // A renewal (one counted after the supply it continues, or one replacing an order at its dose) keeps today's total.
  const todayTotal = before.mme.totalMme;
  const todayKnown = before.mme.complete && !ctx.ordersIncomplete;
  if (allRenewals && unknown.length === 0 && todayKnown && toKnown && todayTotal === to) {
    headline = `This order renews the current supply: the total stays at ${to} MME/day`;
  } else if (unknown.length > 0) {
    headline =
      to > 0
        ? `The MME of this order cannot be computed: the total is at least ${to} MME/day${when}`
        : `The MME of this order cannot be computed: the total${when} is unknown`;
  } else if (drafts.every((o) => o.dose.excluded)) {
    headline =
      from === to || !fromKnown
        ? `Buprenorphine is not converted to MME: the total stays at ${boundedMme(to, toKnown)}${when}`
        : `Buprenorphine is not converted to MME: the total of the other opioids goes from ${from} to ${boundedMme(to, toKnown)}${when}`;
  } else if (later && fromKnown && toKnown && from === to) {
    headline = `This order starts ${formatDay(later.day)} and keeps the total at ${to} MME/day`;
  } else if (!fromKnown && from === 0) {
    headline = `This order brings the total to ${boundedMme(to, toKnown)}${when} (the current dose is unknown)${above ? `: ${above.mme} or more` : ''}`;
  } else if (!fromKnown) {
    headline = `This order brings the total from at least ${from} to ${boundedMme(to, toKnown)}${when}${above ? ` (${above.mme} or more)` : ''}`;
  } else {
    headline = `This order brings the total from ${from} to ${boundedMme(to, toKnown)}${when}${crossed ? ` (crosses ${crossed.mme})` : raisesAbove ? ` (${above.mme} or more)` : ''}`;
  }
  // A start that could not be read places the draft today, which may not be the day it is meant for: said up front.
  const anyUnreadStart = drafts.some((o) => options.unreadStarts?.has(o.id) === true);
  if (anyUnreadStart) headline = `${headline} (start date unreadable)`;
  const listed =
    drafts.length <= LISTED_DRAFTS
      ? drafts.map((_, i) => i)
      : [
          ...drafts.flatMap((o, i) => (isUnknown(o) ? [i] : [])),
          ...drafts.flatMap((o, i) => (isUnknown(o) ? [] : [i])),
        ].slice(0, LISTED_DRAFTS);
  const detail = [
    // A card lists at most LISTED_DRAFTS orders (beyond, those of unknown MME first): the totals count them all.
    ...listed.flatMap((i) => {
      const o = drafts[i];
      if (o === undefined) return [];
      const note = renewals[i];
      const line = note === undefined ? orderLine(o) : `${orderLine(o)} (${markdownText(note)})`;
      const r = replacing[i];
      const unreadStart = options.unreadStarts?.get(o.id);
      return [
        line,
        ...(unreadStart === undefined ? [] : [unreadStartLine(unreadStart, o.coverage?.start)]),
        ...(r === undefined
          ? []
          : [
              revisedId(o.id) === r.prior
                ? `This order revises MedicationRequest/${markdownText(r.prior)} from ${formatDay(r.start)}: the order as it was counts until ${formatDay(r.start - 1)}.`
                : `This order replaces MedicationRequest/${markdownText(r.prior)} from ${formatDay(r.start)}: that order counts until ${formatDay(r.start - 1)}.`,
            ]),
      ];
    }),
    ...(drafts.length > LISTED_DRAFTS
      ? [
          `- and ${drafts.length - LISTED_DRAFTS} more order${drafts.length - LISTED_DRAFTS === 1 ? '' : 's'} (in the totals below)`,
        ]
      : []),
    '',
    `Total before this order: ${boundedMme(from, fromKnown)}; with it: ${boundedMme(to, toKnown)}${when}.`,
    ...(above ? ['', `The new total is ${above.advice}.`] : []),
  ].join('\n');
  return {
    uuid: ctx.newId(),
    summary: summary(headline),
    detail: detail + completenessNote(ctx),
    indicator:
      unknown.length > 0 || crossed || raisesAbove || (!fromKnown && above) || anyUnreadStart
        ? 'warning'
        : 'info',
    source: source(ctx, 'ordermme'),
    overrideReasons: OVERRIDE_REASONS.safety,
    links: [trendLink(ctx)],
  };
}
