// A request follows its caller's abort without a per-request listener or dependant on the caller's
// long-lived signal (issue #14: the probe's memory over a 10,000-preview run).
import t from 'tap'
import { getEventListeners } from 'node:events'
import { followAbort } from './abort-link.js'

t.test('children registered when the caller aborts are aborted with its reason; finished ones are not', async (t) => {
  const caller = new AbortController()
  const done = new AbortController()
  const unlinkDone = followAbort(caller.signal, done)
  const running = new AbortController()
  followAbort(caller.signal, running)
  unlinkDone()
  const reason = new Error('run deadline')
  caller.abort(reason)
  t.equal(running.signal.aborted, true)
  t.equal(running.signal.reason, reason, 'the caller\'s reason, so the failure is classified as the caller\'s')
  t.equal(done.signal.aborted, false, 'a request that finished is left alone')
})

t.test('a caller already aborted aborts the child at once; no caller, no link', async (t) => {
  const child = new AbortController()
  followAbort(AbortSignal.abort(new Error('gone')), child)
  t.match(child.signal.reason, { message: 'gone' })
  const free = new AbortController()
  followAbort(undefined, free)()
  t.equal(free.signal.aborted, false)
})

t.test('thousands of requests add one listener to the caller\'s signal, however many are in flight', async (t) => {
  const caller = new AbortController()
  const open: Array<() => void> = []
  for (let i = 0; i < 5000; i++) open.push(followAbort(caller.signal, new AbortController()))
  t.equal(getEventListeners(caller.signal, 'abort').length, 1, 'one listener, so no MaxListenersExceededWarning')
  for (const unlink of open) unlink()
  const last = new AbortController()
  followAbort(caller.signal, last)
  caller.abort()
  t.equal(last.signal.aborted, true, 'still followed after the others unlinked')
})
