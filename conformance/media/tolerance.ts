// The spec's agreement rule between a declared duration and a measured one (R5.1-3, R5.2-2):
// |declared − measured| ≤ max(2 s, 1 % of declared). The 2 s floor absorbs encoder priming and
// last-packet rounding on short media; the 1 % scales with long lessons.
export const TOLERANCE_FLOOR_SECONDS = 2
export const TOLERANCE_FRACTION = 0.01
// Decimal seconds are not exact in binary (660 − 653.4 = 6.600000000000023); a boundary case must
// not flip on the last bit.
const EPSILON = 1e-9

export const toleranceFor = (declared: number): number => Math.max(TOLERANCE_FLOOR_SECONDS, Math.abs(declared) / (1 / TOLERANCE_FRACTION))

export function agreeWithin(declared: number, measured: number): boolean {
  if (!Number.isFinite(declared) || !Number.isFinite(measured)) return false
  return Math.abs(declared - measured) <= toleranceFor(declared) + EPSILON
}
