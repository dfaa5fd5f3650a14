/** MME for display: one decimal, half up, stable against floating-point noise (4.4999999 -> 4.5). */
export function roundMme(value: number): number {
  return Math.round(value * 10 + 1e-7) / 10;
}

/**
 * Whether an MME figure reaches a threshold (50, 90, the trial's 15), allowing for floating-point noise in sums
 * and products of doses (29.7 + 60.3 may be 89.99999999999999): a figure shown as 90.0 is 90.
 */
export function reaches(value: number, threshold: number): boolean {
  return value >= threshold - 1e-9;
}
