// Test support: schema-valid xAPI-shaped statements and voiding statements.
import { randomUUID } from 'node:crypto'
import type { LearningRecord } from '../../specs/types.gen.js'
import { VOIDED_VERB } from './learning-records.js'

export function statement(o: { id?: string; learner?: string; courseId?: string; seconds?: number; at?: string } = {}): LearningRecord {
  return {
    id: o.id ?? randomUUID(),
    actor: { objectType: 'Agent', account: { homePage: 'https://api.example-edu.cn', name: o.learner ?? 'lrn_7Qk2xP9aZ' } },
    verb: { id: 'http://adlnet.gov/expapi/verbs/completed' },
    object: { objectType: 'Activity', courseId: o.courseId ?? 'c-000001' },
    result: { completion: true, effectiveSeconds: o.seconds ?? 1790 },
    timestamp: o.at ?? '2026-11-27T09:30:00+08:00',
  }
}

export function voiding(target: string, id: string = randomUUID()): LearningRecord {
  return {
    id,
    actor: { objectType: 'Agent', account: { homePage: 'https://api.example-edu.cn', name: 'lrn_7Qk2xP9aZ' } },
    verb: { id: VOIDED_VERB },
    object: { objectType: 'StatementRef', id: target },
    timestamp: '2026-11-27T10:00:00+08:00',
  } as LearningRecord
}
