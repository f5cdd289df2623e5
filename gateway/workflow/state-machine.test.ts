// R6: the transition table, walked exhaustively: every (state, event) pair the table lists plans
// to its target for an allowed role; every pair it does not list is a 409 naming the state and
// the allowed events.
import t from 'tap'
import { EVENTS, STATES, TERMINAL_STATES, TRANSITIONS, allowedEvents, planTransition } from './state-machine.js'
import type { ActorRole } from './state-machine.js'

const ROLES: ActorRole[] = ['public', 'provider', 'reviewer', 'admin', 'system']

t.test('every legal transition plans to its target for its roles, and is refused for the others', async (t) => {
  for (const tr of TRANSITIONS) {
    for (const role of tr.roles) t.equal(planTransition(tr.from, tr.event, role).to, tr.to, `${tr.from} --${tr.event}/${role}--> ${tr.to}`)
    const other = ROLES.find((r) => !tr.roles.includes(r) && !(r === 'admin' && tr.roles.includes('reviewer')))!
    t.throws(() => planTransition(tr.from, tr.event, other), { code: 'SG_ERR_FORBIDDEN' }, `${tr.event} refused for ${other}`)
  }
})

t.test('every illegal (state, event) pair is SG_ERR_WORKFLOW_ILLEGAL_TRANSITION naming state and allowed events', async (t) => {
  let n = 0
  for (const state of STATES) {
    for (const event of EVENTS) {
      if (TRANSITIONS.some((x) => x.from === state && x.event === event)) continue
      n++
      try {
        planTransition(state, event, 'admin')
        t.fail(`${state} + ${event} should be illegal`)
      } catch (err) {
        const e = err as { code: string; statusCode: number; message: string; details: { allowedEvents: string[] } }
        t.equal(e.code, 'SG_ERR_WORKFLOW_ILLEGAL_TRANSITION')
        t.equal(e.statusCode, 409)
        t.match(e.message, `not allowed in state ${state}`)
        t.same(e.details.allowedEvents, allowedEvents(state))
        for (const a of allowedEvents(state)) t.match(e.message, a)
      }
    }
  }
  t.ok(n > 100, `${n} illegal pairs checked`)
})

t.test('the table is well formed: reachable states, terminal states have no way out, admin acts as reviewer', async (t) => {
  for (const s of TERMINAL_STATES) t.same(allowedEvents(s), [], `${s} is final`)
  const reachable = new Set(['draft'])
  for (let changed = true; changed;) {
    changed = false
    for (const tr of TRANSITIONS) if (reachable.has(tr.from) && !reachable.has(tr.to)) { reachable.add(tr.to); changed = true }
  }
  t.same([...reachable].sort(), [...STATES].sort(), 'every state is reachable from draft')
  t.equal(planTransition('material-review', 'material-pass', 'admin').to, 'conformance')
  t.throws(() => planTransition('draft', 'submit', 'admin'), { code: 'SG_ERR_FORBIDDEN' }, 'admin does not inherit provider')
  for (const tr of TRANSITIONS) t.ok(tr.requirementIds.length > 0, `${tr.event} cites requirements`)
})
