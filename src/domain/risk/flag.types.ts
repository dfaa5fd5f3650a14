/** The risk flags of clinical brief section 3, with fixed codes, and the evidence each one carries. */
export const FLAG_CODES = [
  'high-dose-50',
  'high-dose-90',
  'benzodiazepine-overlap',
  'naloxone-missing',
  'multiple-prescribers',
  'early-refill',
  'dose-escalation',
  'uds-unexpected',
  'comm-positive',
  'oud-diagnosis',
  'overdose-history',
  'long-term-opioid-therapy',
  'self-harm-risk',
] as const;

export type FlagCode = (typeof FLAG_CODES)[number];

export interface Evidence {
  /** The resource it comes from ("MedicationRequest/m1"), when there is one. */
  readonly reference?: string;
  readonly date?: string;
  readonly value?: string | number;
  /** The fact in plain words. */
  readonly detail: string;
}

export interface Flag {
  readonly code: FlagCode;
  /** The rule applied, in plain words with its threshold. */
  readonly rule: string;
  /** Where the rule comes from. */
  readonly source: string;
  /** What the evidence adds up to, in plain words, when a count says more than its first items ("4 opioid prescribers"). */
  readonly summary?: string;
  readonly evidence: readonly Evidence[];
  /** Extra structured facts (e.g. OUD severity, overlap days). */
  readonly detail?: Readonly<Record<string, string | number | boolean>>;
}
