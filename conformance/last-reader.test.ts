// The shared preview documents of a run are dropped after their last reader (R5.1-3 at catalogue
// scale, issue #14), and a run with two readers still fetches each sampled preview once.
import t from 'tap'
import { lastReader } from './last-reader.js'
import { probeProvider, resultOf, withProvider } from './checks/probe-harness.test-support.js'

t.test('a key is dropped on its last reader\'s done, not before, and each key counts apart', async (t) => {
  const dropped: string[] = []
  const done = lastReader(2, (k) => dropped.push(k))
  done('a')
  done('b')
  t.same(dropped, [], 'one of two readers done: kept')
  done('a')
  t.same(dropped, ['a'])
  done('b')
  t.same(dropped, ['a', 'b'])
  done('a')
  t.same(dropped, ['a', 'b'], 'a key read again after its drop starts a new count')
  done('a')
  t.same(dropped, ['a', 'b', 'a'])
  const single: string[] = []
  const one = lastReader(1, (k) => single.push(k))
  one('x')
  t.same(single, ['x'], 'a single reader drops at once')
})

t.test('two checks reading the sampled previews share one fetch per course (R5.1-3, R7)', async (t) => {
  await withProvider({ kind: 'on-demand' }, async (p) => {
    const fetched = new Map<string, number>()
    const report = await probeProvider(p, {
      // One request and one check at a time: the second check starts after the first is done.
      only: ['contract.preview-document', 'preview.declared-length'], concurrency: 1,
      onRequest: (r) => {
        const path = new URL(r.url).pathname
        if (path.endsWith('/preview')) fetched.set(path, (fetched.get(path) ?? 0) + 1)
      },
    })
    t.equal(resultOf(report, 'contract.preview-document').status, 'pass')
    t.equal(resultOf(report, 'preview.declared-length').status, 'pass')
    t.ok(fetched.size > 0, `${fetched.size} previews fetched`)
    t.same([...fetched.values()].filter((n) => n !== 1), [], 'no preview fetched twice: kept until both checks were done with it')
  })
})
