// R19 (第十九条): low response, resolution or satisfaction rates lead to an interview (约谈), a
// suspension (暂停) or a takedown (下架). The thresholds are configuration; this is the decision.
import type { FeedbackMetrics } from './feedback.js'

export type R19Action = 'interview' | 'suspension' | 'takedown'
export const R19_ACTIONS: readonly R19Action[] = ['interview', 'suspension', 'takedown']

export interface RateFloor { responseRate: number; resolutionRate: number; satisfaction: number }

export interface R19Thresholds {
  windowDays: number
  /** Fewer tickets than this in the window: too little evidence, no recommendation. */
  minTickets: number
  responseDeadlineHours: number
  /** A metric below the floor of a level recommends that level; the most severe level wins. */
  interview: RateFloor
  suspension: RateFloor
  takedown: RateFloor
}

export const DEFAULT_R19_THRESHOLDS: R19Thresholds = {
  windowDays: 30,
  minTickets: 5,
  responseDeadlineHours: 48,
  interview: { responseRate: 0.9, resolutionRate: 0.8, satisfaction: 3.5 },
  suspension: { responseRate: 0.7, resolutionRate: 0.6, satisfaction: 3.0 },
  takedown: { responseRate: 0.5, resolutionRate: 0.4, satisfaction: 2.5 },
}

export interface R19Recommendation { action: R19Action; below: Array<{ metric: keyof RateFloor; value: number; floor: number }> }

export function recommendR19(m: FeedbackMetrics, th: R19Thresholds): R19Recommendation | null {
  if (m.tickets < th.minTickets) return null
  for (const action of [...R19_ACTIONS].reverse()) {
    const floor = th[action]
    const below: R19Recommendation['below'] = []
    for (const metric of ['responseRate', 'resolutionRate', 'satisfaction'] as const) {
      const value = m[metric]
      if (value !== null && value < floor[metric]) below.push({ metric, value, floor: floor[metric] })
    }
    if (below.length > 0) return { action, below }
  }
  return null
}
