// The decision functions, tested without connecting anywhere: public addresses below are only
// classified, never dialled. Address classes themselves are tested in ip-ranges.test.ts.
import t from 'tap'
import { assertUrlAllowed, checkAddresses, createGuardedLookup } from './ssrf-guard.js'
import type { SkillgateError } from '../../specs/lib/errors.js'

t.test('policy: deny refuses any non-public answer, local allows it and reports it', async (t) => {
  const code = (f: () => unknown) => {
    try {
      f()
      return 'allowed'
    } catch (e) {
      return (e as SkillgateError).code
    }
  }
  t.equal(code(() => checkAddresses('a.test', [{ address: '8.8.8.8', family: 4 }], 'deny')), 'allowed')
  t.equal(code(() => checkAddresses('a.test', [{ address: '10.0.0.1', family: 4 }], 'deny')), 'SG_ERR_NET_SSRF_BLOCKED')
  t.equal(code(() => checkAddresses('a.test', [{ address: '8.8.8.8', family: 4 }, { address: 'fd00::1', family: 6 }], 'deny')), 'SG_ERR_NET_SSRF_BLOCKED')
  t.equal(code(() => checkAddresses('a.test', [], 'deny')), 'SG_ERR_NET_DNS')
  const local = checkAddresses('a.test', [{ address: '10.0.0.1', family: 4 }], 'local')
  t.same(local.nonPublic.map((a) => a.range), ['private'])
})

t.test('URLs: only http(s), no credentials', async (t) => {
  t.equal(assertUrlAllowed('https://provider.example/v1').hostname, 'provider.example')
  for (const bad of ['file:///etc/passwd', 'gopher://x/', 'javascript:alert(1)', 'http://u:p@x/', 'http://u@x/', 'not a url']) {
    t.throws(() => assertUrlAllowed(bad), { code: 'SG_ERR_NET_BAD_URL' }, bad)
  }
})

t.test('guarded lookup: returns exactly the checked addresses, or fails before connect', async (t) => {
  const lookup = (mode: 'deny' | 'local', answer: string[]) => createGuardedLookup({
    mode,
    timeoutMs: 1000,
    resolver: async () => answer.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
  })
  const call = (l: ReturnType<typeof lookup>, all: boolean) => new Promise<{ err: unknown; address: unknown; family?: number }>((resolve) => {
    l('x.test', { all }, (err, address, family) => resolve({ err, address, ...(family !== undefined ? { family } : {}) }))
  })
  const ok = await call(lookup('deny', ['8.8.8.8', '2001:4860::8888']), true)
  t.equal(ok.err, null)
  t.same(ok.address, [{ address: '8.8.8.8', family: 4 }, { address: '2001:4860::8888', family: 6 }])
  const one = await call(lookup('deny', ['8.8.8.8']), false)
  t.same([one.address, one.family], ['8.8.8.8', 4])
  const blocked = await call(lookup('deny', ['169.254.169.254']), true)
  t.equal((blocked.err as SkillgateError).code, 'SG_ERR_NET_SSRF_BLOCKED')
  t.equal(blocked.address, '', 'no address handed to the socket')
  const allowed = await call(lookup('local', ['127.0.0.1']), true)
  t.same(allowed.address, [{ address: '127.0.0.1', family: 4 }])
  const slow = createGuardedLookup({ mode: 'deny', timeoutMs: 20, resolver: () => new Promise(() => {}) })
  const timedOut = await call(slow, true)
  t.equal((timedOut.err as SkillgateError).code, 'SG_ERR_NET_DNS')
})
