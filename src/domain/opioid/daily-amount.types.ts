import type { DailyAmount } from './conversion.ts';
import type { ResolvedComponent } from './product.resolver.ts';

/** How much of the product is used per day, in its own units: tablets/patches/actuations, or mL. */
export interface UnitsPerDay {
  readonly value: number;
  readonly kind: 'count' | 'volume';
}

/** One opioid ingredient's daily amount and the terms that produced it ("4/d x 1 tab x 5 mg"). */
export interface IngredientDaily {
  readonly component: ResolvedComponent;
  readonly amount: DailyAmount;
  readonly terms: readonly string[];
}

/** The daily amounts from one method (sig or supply) for one stretch of time. */
export interface DailyStep {
  readonly ingredients: readonly IngredientDaily[];
  readonly unitsPerDay?: UnitsPerDay;
  readonly prn: boolean;
  readonly notes: readonly string[];
  /** Length in days of a sequential (tapering) step; undefined for the last or only step. */
  readonly days?: number;
}
