/** Flags read from the MME analysis: high dose, escalation, long-term opioid therapy (brief 2.3 and 3). */
import { orderReference } from '../../opioid/order-id.ts';
import { formatDay } from '../../time/day.ts';
import { reaches } from '../../trend/round.ts';
import type { Evidence, Flag } from '../flag.types.ts';
import type { RiskContext } from '../risk-context.ts';

function contributingOrders(ctx: RiskContext): Evidence[] {
  return ctx.mme.orders
    .filter((o) => o.status === 'counted' || o.status === 'incomplete')
    .map((o) => ({
      reference: orderReference(o.id),
      value: o.mme ?? 'unknown',
      detail: o.explanation,
    }));
}

export function doseFlags(ctx: RiskContext): Flag[] {
  const { mme, rules } = ctx;
  const flags: Flag[] = [];
  const total = mme.totalMme;
  const lowerBound = mme.complete ? '' : ' (a lower bound: an active order has unknown MME)';
  const totalEvidence: Evidence = {
    date: formatDay(ctx.asOf),
    value: total,
    detail: `current total ${total} MME/day${lowerBound}`,
  };
  // Thresholds compare the unrounded total; the evidence shows it rounded.
  if (reaches(mme.exactTotalMme, rules.highDose.reassess)) {
    flags.push({
      code: 'high-dose-50',
      rule: `current MME >= ${rules.highDose.reassess} MME/day`,
      source:
        'CDC 2022 Clinical Practice Guideline (MMWR 2022;71(3)): reassess benefits and risks, offer naloxone',
      evidence: [totalEvidence, ...contributingOrders(ctx)],
    });
  }
  if (reaches(mme.exactTotalMme, rules.highDose.avoid)) {
    flags.push({
      code: 'high-dose-90',
      rule: `current MME >= ${rules.highDose.avoid} MME/day`,
      source: 'CDC 2016 guideline; PQA opioid quality measures',
      evidence: [totalEvidence, ...contributingOrders(ctx)],
    });
  }
  const escalation = mme.trend.escalation;
  if (escalation.detected) {
    const levelSince = escalation.levelSince ?? formatDay(ctx.asOf);
    flags.push({
      code: 'dose-escalation',
      rule: escalation.rule ?? 'dose escalation',
      source: 'project rule (clinical brief 2.3), thresholds in trend-rules.ts',
      evidence: [
        {
          date: escalation.sinceDate,
          value: escalation.fromMme,
          detail: `${escalation.fromMme} MME/day on ${escalation.sinceDate}`,
        },
        {
          date: levelSince,
          value: escalation.toMme,
          detail: `${escalation.toMme} MME/day now, since ${levelSince}`,
        },
      ],
      detail: { complete: escalation.complete },
    });
  }
  if (mme.trend.longTermOpioidTherapy) {
    const d = mme.trend.longTermOpioidTherapyDetail;
    flags.push({
      code: 'long-term-opioid-therapy',
      rule: d.rulesMet.join('; '),
      source:
        'CDC 2022 (opioids on most days for > 3 months); Zgierska 2025 inclusion (>= 15 MME/day for >= 3 months)',
      evidence: [
        { value: d.coveredDays, detail: `opioid on ${d.coveredDays} of the last ${d.windowDays} days` },
      ],
      detail: { coveredDays: d.coveredDays, longestRunAtOrAbove15Mme: d.longestRunAtOrAboveTrialMme },
    });
  }
  return flags;
}
