/** MME for display: one decimal, half up, stable against floating-point noise (4.4999999 -> 4.5). */
export function roundMme(value: number): number {
  return Math.round(value * 10 + 1e-7) / 10;
}
