// A bounded load driver for POST /api/v1/learning-records, shared by bench/records.ts,
// bench/records-load.ts (60 s by default) and the route's load test in
// gateway/routes/learning-records.test.ts (seconds): `concurrency` loops on one undici Pool over loopback, each
// sending signed batches of fresh statements until the deadline, recording every statement id sent
// and acknowledged, so the caller can count lost and duplicated records against the store.
import { randomUUID } from 'node:crypto'
import { Pool } from 'undici'
import { signRequest } from '../conformance/signing/index.js'
import type { LearningRecord } from '../specs/types.gen.js'

export interface LoadOptions {
  baseUrl: string
  keyId: string
  secret: string
  concurrency: number
  durationMs: number
  batchSize: number
  /** Every Nth batch is sent twice (a client retry): idempotency must absorb it. */
  resendEvery?: number
}

export interface LoadResult {
  batches: number
  resent: number
  statementsSent: number
  acknowledged: Set<string>
  status: Record<string, number>
  errors: number
  elapsedMs: number
}

function makeBatch(n: number, learner: string): LearningRecord[] {
  const at = new Date().toISOString()
  return Array.from({ length: n }, (_, i) => ({
    id: randomUUID(),
    actor: { objectType: 'Agent' as const, account: { homePage: 'https://api.example-edu.cn', name: learner } },
    verb: { id: 'http://adlnet.gov/expapi/verbs/progressed' as const },
    object: { objectType: 'Activity' as const, courseId: `c-${String(i % 50).padStart(6, '0')}` },
    result: { completion: false, effectiveSeconds: 60 + i },
    timestamp: at,
  }))
}

export async function runRecordsLoad(o: LoadOptions): Promise<LoadResult> {
  const url = new URL('/api/v1/learning-records', o.baseUrl)
  const pool = new Pool(url.origin, { connections: o.concurrency, pipelining: 1 })
  const result: LoadResult = { batches: 0, resent: 0, statementsSent: 0, acknowledged: new Set(), status: {}, errors: 0, elapsedMs: 0 }
  const started = Date.now()
  const deadline = started + o.durationMs
  async function send(body: string): Promise<number> {
    const headers = signRequest({ method: 'POST', url, body, keyId: o.keyId, secret: o.secret })
    const res = await pool.request({ method: 'POST', path: url.pathname, headers: { ...headers, 'content-type': 'application/json' }, body })
    await res.body.dump()
    result.status[res.statusCode] = (result.status[res.statusCode] ?? 0) + 1
    return res.statusCode
  }
  async function loop(worker: number): Promise<void> {
    let n = 0
    while (Date.now() < deadline) {
      const statements = makeBatch(o.batchSize, `lrn_load_${String(worker).padStart(4, '0')}`)
      const body = JSON.stringify({ statements })
      result.batches++
      result.statementsSent += statements.length
      try {
        const status = await send(body)
        if (status === 200) for (const s of statements) result.acknowledged.add(s.id)
        if (o.resendEvery && ++n % o.resendEvery === 0) {
          result.resent++
          await send(body)
        }
      } catch {
        result.errors++
      }
    }
  }
  try {
    await Promise.all(Array.from({ length: o.concurrency }, (_, i) => loop(i)))
  } finally {
    await pool.close()
  }
  result.elapsedMs = Date.now() - started
  return result
}
