/** Each flag's name in plain words, for clinicians: card details and the referral decision's rationale. */
import type { FlagCode } from './flag.types.ts';

export const FLAG_NAMES: Readonly<Record<FlagCode, string>> = {
  'high-dose-50': 'Dose at or above 50 MME/day',
  'high-dose-90': 'Dose at or above 90 MME/day',
  'benzodiazepine-overlap': 'Benzodiazepine with opioids',
  'naloxone-missing': 'No naloxone on record',
  'multiple-prescribers': 'Several opioid prescribers or pharmacies',
  'early-refill': 'Early refill',
  'dose-escalation': 'Dose escalation',
  'uds-unexpected': 'Unexpected urine drug screen',
  'comm-positive': 'Positive Current Opioid Misuse Measure (COMM)',
  'oud-diagnosis': 'Opioid use disorder diagnosis',
  'overdose-history': 'History of opioid overdose',
  'long-term-opioid-therapy': 'Long-term opioid therapy',
  'self-harm-risk': 'Thoughts of self-harm (PHQ-9 item 9)',
};

/** "positive Current Opioid Misuse Measure (COMM), unexpected urine drug screen" */
export function flagNameList(codes: readonly FlagCode[]): string {
  return codes.map((c) => FLAG_NAMES[c].charAt(0).toLowerCase() + FLAG_NAMES[c].slice(1)).join(', ');
}
