/**
 * Renewals written before the previous supply ran out (project rule, ADR 0005): a later order of the same product
 * at the same MME/day that starts while at most `maxShare` of the earlier one's supply remains continues it: the
 * days both cover are counted once (from the day after the earlier order ends), not twice, and the renewal keeps
 * its own end (a few days written early each month do not push the history forward). Summing the overlap read a stable 45 MME/day as 90 for a few days every month (high-dose, escalation
 * and naloxone flags from routine renewals). A larger overlap is not shifted: the patient may be taking both, and
 * the early-refill rule reports it.
 */
import { formatDay, type Day } from '../time/day.ts';
import { atDate, type OrderAnalysis, type Segment } from './order-analysis.ts';

const RENEWAL_NOTE = 'renews MedicationRequest/';

/** The note carryForwardRenewals leaves on an order it counted after the one it renews, if any. */
export function renewalNote(o: OrderAnalysis): string | undefined {
  return o.notes.find((n) => n.startsWith(RENEWAL_NOTE));
}

interface Candidate {
  readonly index: number;
  readonly segment: Segment;
}

/** A single stretch of known MME, certainly in effect: the only orders a renewal can be recognised in. */
function renewable(o: OrderAnalysis): Segment | undefined {
  if (o.segments.length !== 1 || o.coverage === null) return undefined;
  const s = o.segments[0];
  return s && s.mme !== null && !s.excluded && !s.uncertain ? s : undefined;
}

export function carryForwardRenewals(
  orders: readonly OrderAnalysis[],
  asOf: Day,
  maxShare: number,
): OrderAnalysis[] {
  // Same product and the same exact MME/day.
  const groups = new Map<string, Map<number, Candidate[]>>();
  orders.forEach((o, index) => {
    const segment = renewable(o);
    if (!segment || segment.mme === null) return;
    let byMme = groups.get(o.productKey);
    if (!byMme) groups.set(o.productKey, (byMme = new Map<number, Candidate[]>()));
    const list = byMme.get(segment.mme);
    if (list) list.push({ index, segment });
    else byMme.set(segment.mme, [{ index, segment }]);
  });
  let out: OrderAnalysis[] | undefined;
  for (const byMme of groups.values()) {
    for (const list of byMme.values()) {
      if (list.length < 2) continue;
      list.sort((a, b) => a.segment.start - b.segment.start || a.segment.end - b.segment.end);
      let previous: { end: Day; days: number; id: string } | undefined;
      for (const { index, segment } of list) {
        const order = orders[index];
        if (!order) continue;
        const days = segment.end - segment.start + 1;
        const left = previous === undefined ? 0 : previous.end - segment.start + 1;
        if (previous === undefined || left <= 0 || left > maxShare * previous.days) {
          previous = { end: Math.max(segment.end, previous?.end ?? segment.end), days, id: order.id };
          continue;
        }
        // The overlap is counted once; the renewal keeps its end (no supply is carried forward month after month).
        // One that ends within the supply it renews adds no day.
        const start = previous.end + 1;
        const inside = segment.end <= previous.end;
        const note = inside
          ? `${RENEWAL_NOTE}${previous.id} and ends within its supply: its days are counted once, with it`
          : `${RENEWAL_NOTE}${previous.id} ${left} day${left === 1 ? '' : 's'} before its supply ends: counted from ${formatDay(start)}, the days both cover once, not twice`;
        out ??= [...orders];
        out[index] = atDate(
          { ...order, notes: [...order.notes, note] },
          inside ? [] : [{ ...segment, start }],
          asOf,
        );
        if (!inside) previous = { end: segment.end, days, id: order.id };
      }
    }
  }
  return out ?? [...orders];
}
