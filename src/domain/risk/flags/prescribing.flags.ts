/**
 * Flags read from the prescribing pattern: benzodiazepine overlap, missing naloxone, multiple prescribers or
 * pharmacies, early refills (brief 3).
 */
import type { Coverage } from '../../opioid/coverage.ts';
import { counts, wasWritten } from '../../opioid/prescription-status.ts';
import type { OrderAnalysis } from '../../opioid/order-analysis.ts';
import type { OrderInput } from '../../opioid/order.types.ts';
import { orderReference, revisedId } from '../../opioid/order-id.ts';
import { resolveProduct } from '../../opioid/product.resolver.ts';
import type { Party } from '../../record/party.types.ts';
import { formatDay, type Day } from '../../time/day.ts';
import type { Evidence, Flag } from '../flag.types.ts';
import { medicationClasses } from '../medication-class.ts';
import { dayText, ordersOfClass, within, type RiskContext } from '../risk-context.ts';
import { coverageOf, DISPENSED, mergeSpans, overlapDays, type Span } from '../spans.ts';

/** How the prescribing flags' evidence names an order (orderReference: callers look for it in the evidence). */
const ref = (order: OrderInput): string => orderReference(order.id);

/**
 * Long-acting and short-acting forms of one opioid run side by side (an ER tablet plus breakthrough doses): early
 * refills compare orders of the same ingredient and the same release.
 */
function release(analysed: OrderAnalysis): 'extended' | 'immediate' {
  const text = `${analysed.product.name ?? ''} ${analysed.product.doseFormText ?? ''}`;
  return analysed.product.doseForm === 'transdermal' ||
    /extended release|\b(?:12|24) HR\b|\bER\b|\bXR\b|\bSR\b/i.test(text)
    ? 'extended'
    : 'immediate';
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** CDC Rec 11: an active benzodiazepine order overlapping an opioid order; overlap days reported (PQA uses >= 30). */
export function benzodiazepineOverlap(ctx: RiskContext): Flag | undefined {
  let opioidSpans: Span[] | undefined; // merged on the first benzodiazepine order only
  const evidence: Evidence[] = [];
  let longest = 0;
  for (const order of ordersOfClass(ctx, 'benzodiazepine')) {
    if (!counts(order)) continue;
    // An active order that cannot be dated is in effect today by the EHR's word, as an opioid order is
    // (order-analysis.ts): it counts on the as-of date, rather than never.
    const dated = coverageOf(order);
    const coverage = dated ?? (order.status === 'completed' ? undefined : { start: ctx.asOf, end: ctx.asOf });
    if (!coverage || coverage.start > ctx.asOf || coverage.end < ctx.asOf) continue;
    opioidSpans ??= mergeSpans([...ctx.opioidOrders.values()].flatMap((o) => o.segments));
    const days = overlapDays(opioidSpans, coverage.start, coverage.end);
    if (days === 0) continue;
    longest = Math.max(longest, days);
    const period = dated
      ? `${formatDay(coverage.start)} to ${formatDay(coverage.end)}`
      : `no start date: considered on ${formatDay(ctx.asOf)} only`;
    evidence.push({
      reference: ref(order),
      date: formatDay(coverage.start),
      value: days,
      detail: `${order.product.text ?? 'benzodiazepine'} (${period}) overlaps opioid orders on ${days} day${days === 1 ? '' : 's'}`,
    });
  }
  if (evidence.length === 0) return undefined;
  return {
    code: 'benzodiazepine-overlap',
    rule: 'an active benzodiazepine order overlaps an opioid order (any overlap; PQA counts >= 30 days)',
    source: 'CDC 2022 Recommendation 11; CDC value set benzodiazepine-medications',
    evidence,
    detail: { overlapDays: longest, atLeast30Days: longest >= 30 },
  };
}

/** CDC Rec 8: at >= 50 MME, with benzodiazepines, after an overdose or with OUD, and no naloxone in 12 months. */
export function naloxoneMissing(ctx: RiskContext, indications: readonly string[]): Flag | undefined {
  if (indications.length === 0) return undefined;
  const since = ctx.rules.naloxoneLookbackDays;
  const ordered = ordersOfClass(ctx, 'naloxone-rescue').some(
    (o) => wasWritten(o) && within(o.authoredOn ?? o.validityStart, ctx.asOf, since),
  );
  // Handed over or being handed over: a declined, cancelled or stopped dispense gave the patient nothing.
  const dispensed = ctx.record.dispenses.some(
    (d) =>
      DISPENSED.has(d.status ?? '') &&
      medicationClasses(d.product).has('naloxone-rescue') &&
      within(d.handedOver, ctx.asOf, since),
  );
  if (ordered || dispensed) return undefined;
  return {
    code: 'naloxone-missing',
    rule: `naloxone is indicated (${indications.join(', ')}) and none was prescribed or dispensed in the last ${since} days`,
    source:
      'CDC 2022 Recommendation 8; CDC value set naloxone-medications (rescue products, not buprenorphine/naloxone)',
    evidence: indications.map((i) => ({ detail: `indication: ${i}` })),
  };
}

/** One party and what it did within the window: its orders or dispenses, and the day of the last. */
interface PartyActs {
  readonly parties: Party[];
  /** Each order or dispense once (a revision being signed is the order it revises). */
  readonly refs: Set<string>;
  last: Day;
}

/**
 * Orders or dispenses by party: two parties that share a key are one (a reference and an identifier of one
 * practitioner), however many references link them - groups merged through a map of keys (union-find).
 */
function byParty(acts: readonly { party: Party; ref: string; day: Day }[]): PartyActs[] {
  const parent = new Map<PartyActs, PartyActs>();
  const root = (g: PartyActs): PartyActs => {
    let r = g;
    for (let p = parent.get(r); p !== undefined; p = parent.get(r)) r = p;
    return r;
  };
  const byKey = new Map<string, PartyActs>();
  const groups: PartyActs[] = [];
  for (const { party, ref, day } of acts) {
    let group: PartyActs | undefined;
    for (const k of party.keys) {
      const found = byKey.get(k);
      if (found === undefined) continue;
      const other = root(found);
      if (group === undefined) group = other;
      else if (other !== group) {
        // Two groups are one party: the later joins the earlier.
        const [keep, gone] = groups.indexOf(other) < groups.indexOf(group) ? [other, group] : [group, other];
        keep.parties.push(...gone.parties);
        for (const r of gone.refs) keep.refs.add(r);
        if (gone.last > keep.last) keep.last = gone.last;
        parent.set(gone, keep);
        group = keep;
      }
    }
    if (group === undefined) {
      group = { parties: [], refs: new Set(), last: day };
      groups.push(group);
    }
    for (const k of party.keys) if (!byKey.has(k)) byKey.set(k, group);
    group.parties.push(party);
    group.refs.add(ref);
    if (day > group.last) group.last = day;
  }
  return groups.filter((g) => !parent.has(g));
}

const SHOWN_REFS = 3;

function partyEvidence(acts: PartyActs, role: 'prescriber' | 'pharmacy'): Evidence {
  // Called by a name where one of its references gives one, rather than by a reference.
  const name =
    acts.parties.find((p) => p.name !== undefined && p.name !== p.reference)?.name ??
    acts.parties.find((p) => p.name !== undefined)?.name ??
    '(no name given)';
  const reference = acts.parties.find((p) => p.reference !== undefined)?.reference;
  const all = [...acts.refs];
  const n = all.length;
  const what = role === 'prescriber' ? 'order' : 'dispense';
  const refs = all.slice(0, SHOWN_REFS).join(', ');
  const more = n > SHOWN_REFS ? ` and ${n - SHOWN_REFS} more` : '';
  const last = formatDay(acts.last);
  return {
    ...(reference === undefined ? {} : { reference }),
    date: last,
    value: n,
    detail: `${role} ${name}: ${n === 1 ? `1 opioid ${what} on ${last}` : `${n} opioid ${what}s, the last on ${last}`} (${refs}${more})`,
  };
}

/** PQA / PDMP multiple provider episodes: >= 4 opioid prescribers, or >= 4 pharmacies, in 180 days. */
export function multiplePrescribers(ctx: RiskContext): Flag | undefined {
  const { min, days } = ctx.rules.multiplePrescribers;
  const orders: { party: Party; ref: string; day: Day }[] = [];
  for (const [order] of ctx.opioidOrders) {
    const written = order.authoredOn ?? order.validityStart;
    if (!wasWritten(order) || !order.requester || !within(written, ctx.asOf, days)) continue;
    orders.push({ party: order.requester, ref: ref(order), day: written });
  }
  const dispenses: { party: Party; ref: string; day: Day }[] = [];
  for (const d of ctx.record.dispenses) {
    // Only dispenses that happened: not declined, cancelled, stopped, in preparation or entered in error.
    if (!DISPENSED.has(d.status ?? '') || !d.pharmacy || !within(d.handedOver, ctx.asOf, days)) continue;
    if (resolveProduct(d.product).opioid !== 'yes') continue;
    dispenses.push({ party: d.pharmacy, ref: d.ref, day: d.handedOver });
  }
  const prescribers = byParty(orders);
  const pharmacies = byParty(dispenses);
  if (prescribers.length < min && pharmacies.length < min) return undefined;
  const kinds = [
    {
      role: 'prescriber' as const,
      parties: prescribers,
      counted: `${prescribers.length} opioid prescribers`,
    },
    {
      role: 'pharmacy' as const,
      parties: pharmacies,
      counted: `${pharmacies.length} pharmacies dispensing opioids`,
    },
  ];
  // What reached the threshold comes first: the card shows the first items of the evidence.
  const reached = kinds.filter((k) => k.parties.length >= min);
  const ordered = [...reached, ...kinds.filter((k) => k.parties.length < min)];
  return {
    code: 'multiple-prescribers',
    rule: `>= ${min} distinct opioid prescribers or pharmacies in ${days} days`,
    source: 'PQA / PDMP "multiple provider episodes"',
    summary: `${reached.map((k) => k.counted).join(' and ')} in the last ${days} days`,
    evidence: ordered.flatMap((k) => k.parties.map((acts) => partyEvidence(acts, k.role))),
    detail: { prescribers: prescribers.length, pharmacies: pharmacies.length },
  };
}

/** Project rule (brief 3): a new order for the same ingredient starting while > 25% of the previous supply remains. */
export function earlyRefill(ctx: RiskContext): Flag | undefined {
  const { remainingShare, lookbackDays } = ctx.rules.earlyRefill;
  const byIngredient = new Map<
    string,
    { order: OrderInput; coverage: Coverage; product: string; mme: number | null }[]
  >();
  // Groups per distinct product (refills share their resolved product object): "oxycodone (immediate release)".
  const groupsOf = new Map<object, string[]>();
  for (const [order, analysed] of ctx.opioidOrders) {
    const c = analysed.coverage;
    // Only supplies the order states: an assumed 30-day period cannot show that a refill came early.
    if (!counts(order) || !c || (c.basis !== 'expected-supply-duration' && c.basis !== 'quantity')) continue;
    let groups = groupsOf.get(analysed.product);
    if (!groups) {
      const kind = release(analysed);
      groups = [...new Set(analysed.product.components.map((x) => `${x.ingredient.name} (${kind} release)`))];
      groupsOf.set(analysed.product, groups);
    }
    // A supply cut short by a replacement being signed is read whole: its pills were handed over all the same.
    const supply = c.suppliedUntil === undefined ? c : { ...c, end: c.suppliedUntil };
    for (const group of groups)
      push(byIngredient, group, { order, coverage: supply, product: analysed.productKey, mme: analysed.mme });
  }
  const evidence: Evidence[] = [];
  for (const [name, list] of byIngredient) {
    list.sort((a, b) => a.coverage.start - b.coverage.start);
    const renewals: { prev: (typeof list)[number]; next: (typeof list)[number] }[] = [];
    // How many orders of the group started with each one: a taper is judged only between single orders.
    const startedWith = new Map<(typeof list)[number], number>();
    // Orders of different products started on the same day are one regimen (two strengths taken together), not
    // refills of each other; a second order of the same product that day is (a duplicate). An order renews the
    // latest earlier one of the same product; without one (a change of product), the one of the latest earlier start
    // day with the least supply left. One pass, a start day at a time.
    type Entry = (typeof list)[number];
    const lastOfProduct = new Map<string, Entry>();
    let earlierDay: Entry[] = [];
    for (let i = 0; i < list.length;) {
      const day: Entry[] = [];
      const start = list[i]?.coverage.start;
      for (let e = list[i]; e !== undefined && e.coverage.start === start; e = list[++i]) day.push(e);
      const leastLeft = earlierDay.reduce<Entry | undefined>(
        (least, e) => (least === undefined || e.coverage.end < least.coverage.end ? e : least),
        undefined,
      );
      const sameDay = new Map<string, Entry>();
      for (const next of day) {
        const prev = sameDay.get(next.product) ?? lastOfProduct.get(next.product) ?? leastLeft;
        if (prev) renewals.push({ prev, next });
        sameDay.set(next.product, next);
      }
      for (const e of day) {
        lastOfProduct.set(e.product, e);
        startedWith.set(e, day.length);
      }
      earlierDay = day;
    }
    for (const { prev, next } of renewals) {
      if (!within(next.coverage.start, ctx.asOf, lookbackDays)) continue;
      // A lower daily dose is a taper: the prescriber's change of plan, the pills left to be taken at the new dose -
      // not a supply sought early. Judged only between one order and the next alone: orders started together are
      // one regimen, whose dose no single order tells (10 mg x 3 with 5 mg x 4 is more than 10 mg x 4).
      const single = startedWith.get(prev) === 1 && startedWith.get(next) === 1;
      if (single && next.mme !== null && prev.mme !== null && next.mme < prev.mme) continue;
      // A revision being signed is the order it revises, not a second supply.
      if (revisedId(next.order.id) === prev.order.id) continue;
      const supply = prev.coverage.end - prev.coverage.start + 1;
      const remaining = prev.coverage.end - next.coverage.start + 1;
      if (remaining > remainingShare * supply) {
        evidence.push({
          reference: ref(next.order),
          date: dayText(next.coverage.start),
          value: remaining,
          detail: `${name}: ${ref(next.order)} starts ${formatDay(next.coverage.start)} with ${remaining} of ${supply} days of ${ref(prev.order)} left`,
        });
      }
    }
  }
  if (evidence.length === 0) return undefined;
  return {
    code: 'early-refill',
    rule: `a new order for the same opioid and release (immediate or extended), at the same or a higher daily dose, while > ${remainingShare * 100}% of the previous supply remains (last ${lookbackDays} days)`,
    source: 'project threshold (clinical brief 3); early refills are a misuse risk factor in the literature',
    evidence,
  };
}
