// Drift after admission (R17): which admission requirements a provider no longer meets, read from a
// scheduled re-run of the conformance kit. Each failing `must` result maps to one case kind by the
// requirement it verifies, so a new check needs no change here unless it verifies a new kind.
import type { Report } from '../../conformance/checks/framework.js'

export type DriftKind = 'free-share' | 'preview' | 'host-abroad' | 'contract'

export interface DriftFinding {
  kind: DriftKind
  requirementIds: string[]
  checkIds: string[]
  messages: string[]
}

const KIND_BY_REQUIREMENT: Record<string, DriftKind> = {
  'R5.1-4': 'free-share', // 第五条（一）4: free courses ≥ 50 %
  'R5.2-3': 'free-share',
  'R5.1-3': 'preview', // 第五条（一）3: free preview ≥ 10 minutes
  'R5.2-2': 'preview',
  'R20-3': 'host-abroad', // 第二十条（三）: servers outside mainland China (HK, MO, TW included)
}

export function kindOf(requirementIds: readonly string[]): DriftKind {
  for (const id of requirementIds) {
    const kind = KIND_BY_REQUIREMENT[id]
    if (kind) return kind
  }
  return 'contract'
}

/** Failing must-checks grouped into drift findings; an inconclusive run ('error' verdict) is a contract finding. */
export function findDrift(report: Pick<Report, 'results' | 'verdict'>): DriftFinding[] {
  const byKind = new Map<DriftKind, DriftFinding>()
  for (const r of report.results) {
    if (r.severity !== 'must' || (r.status !== 'fail' && r.status !== 'error')) continue
    const kind = kindOf(r.requirementIds)
    const f = byKind.get(kind) ?? { kind, requirementIds: [], checkIds: [], messages: [] }
    for (const id of r.requirementIds) if (!f.requirementIds.includes(id)) f.requirementIds.push(id)
    f.checkIds.push(r.checkId)
    if (r.message) f.messages.push((r.message.en ?? r.message['zh-CN']).slice(0, 500))
    byKind.set(kind, f)
  }
  return [...byKind.values()]
}
