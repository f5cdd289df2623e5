// The spec's agreement rule between a declared duration and a measured one (R5.1-3, R5.2-2):
// |declared − measured| ≤ max(2 s, 1 % of declared). The 2 s floor absorbs encoder priming and
// last-packet rounding on short media; the 1 % scales with long lessons.
export const TOLERANCE_FLOOR_SECONDS = 2
export const TOLERANCE_FRACTION = 0.01

export const toleranceFor = (declared: number): number => Math.max(TOLERANCE_FLOOR_SECONDS, TOLERANCE_FRACTION * Math.abs(declared))

export function agreeWithin(declared: number, measured: number): boolean {
  if (!Number.isFinite(declared) || !Number.isFinite(measured)) return false
  return Math.abs(declared - measured) <= toleranceFor(declared)
}
