/**
 * Strength of one ingredient per unit of product, in the engine's base units:
 * mg per unit (tablet, capsule), mg per mL, mg per actuation, or mcg/h per patch.
 */
export type StrengthPer = 'unit' | 'mL' | 'actuation';

export interface Strength {
  readonly value: number;
  readonly unit: 'mg' | 'mcg/h';
  readonly per: StrengthPer;
}

export function strengthFromRxnormUnit(value: number, unit: string): Strength | undefined {
  switch (unit.toUpperCase()) {
    case 'MG':
      return { value, unit: 'mg', per: 'unit' };
    case 'MCG':
      return { value: value / 1000, unit: 'mg', per: 'unit' };
    case 'MG/ML':
      return { value, unit: 'mg', per: 'mL' };
    case 'MCG/ML':
      return { value: value / 1000, unit: 'mg', per: 'mL' };
    case 'MG/HR':
      return { value: value * 1000, unit: 'mcg/h', per: 'unit' };
    case 'MCG/HR':
      return { value, unit: 'mcg/h', per: 'unit' };
    case 'MG/ACTUAT':
      return { value, unit: 'mg', per: 'actuation' };
    case 'MCG/ACTUAT':
      return { value: value / 1000, unit: 'mg', per: 'actuation' };
    default:
      return undefined;
  }
}

export function formatStrength(s: Strength): string {
  const per = s.per === 'unit' ? (s.unit === 'mcg/h' ? 'patch' : 'unit') : s.per;
  return `${formatNumber(s.value)} ${s.unit} per ${per}`;
}

/** Numbers in derivations: at most 3 decimals, no trailing zeros ("0.15", "7.5", "180"). */
export function formatNumber(n: number): string {
  const rounded = Math.round(n * 1000) / 1000;
  return String(rounded);
}
