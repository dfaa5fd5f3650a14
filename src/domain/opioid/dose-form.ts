/**
 * Dose-form categories that change how a dose converts to MME. The clinical factor tables (CDC 2016 and 2022)
 * are for oral opioids and transdermal fentanyl; transmucosal fentanyl has only analytic factors (CDC 2018 file)
 * and parenteral doses have none (see docs/adr/0003-no-clinical-factor-for-parenteral-doses.md).
 */
export type DoseFormCategory =
  | 'oral'
  | 'rectal'
  | 'transdermal'
  | 'transmucosal-tablet'
  | 'transmucosal-film'
  | 'oral-spray'
  | 'nasal-spray'
  | 'parenteral'
  | 'other'
  | 'unknown';

const RULES: readonly (readonly [RegExp, DoseFormCategory])[] = [
  [/transdermal|\bpatch/, 'transdermal'],
  [
    /inject|syringe|cartridge|auto-injector|intravenous|subcutaneous|intramuscular|infus|epidural|intrathecal|intraspinal|\biv\b|parenteral/,
    'parenteral',
  ],
  [/nasal/, 'nasal-spray'],
  [/(buccal|sublingual) film|\bfilm\b/, 'transmucosal-film'],
  [/mucosal spray|sublingual spray|oral spray/, 'oral-spray'],
  [/buccal|sublingual|lozenge|troche/, 'transmucosal-tablet'],
  [/rectal|suppositor/, 'rectal'],
  [/implant|topical|inhal/, 'other'],
  [/oral|tablet|capsule|solution|suspension|elixir|syrup|liquid|granule/, 'oral'],
];

/** Classifies an RxNorm dose form name ("Extended Release Oral Tablet") or a product name containing one. */
export function classifyDoseForm(text: string | undefined): DoseFormCategory {
  if (!text) return 'unknown';
  const lower = text.toLowerCase();
  for (const [pattern, category] of RULES) {
    if (pattern.test(lower)) return category;
  }
  return 'unknown';
}
