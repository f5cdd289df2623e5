import t from 'tap'
import { errorCodes, sgError, toProblem } from './errors.js'

t.test('every listed code has a status and bilingual title and fix', async (t) => {
  const codes = Object.keys(errorCodes)
  t.ok(codes.length > 5)
  for (const code of codes) {
    const e = errorCodes[code]!
    t.match(code, /^SG_ERR_[A-Z0-9_]+$/, `${code} has the SG_ERR_ prefix`)
    t.ok(e.status >= 400 && e.status < 600, `${code} status`)
    for (const k of ['title', 'fix'] as const) {
      t.ok(e[k]['zh-CN'].length > 0 && e[k].en.length > 0, `${code} ${k} is bilingual`)
    }
  }
})

t.test('unlisted codes are refused at the throw site', async (t) => {
  t.throws(() => sgError('SG_ERR_NOPE'), /undocumented error code/)
})

t.test('problem+json carries code, status and the fix', async (t) => {
  const p = toProblem(sgError('SG_ERR_BAD_CURSOR', 'cursor "zzz" was not issued by this server'), '/v1/courses')
  t.equal(p.status, 400)
  t.equal(p.code, 'SG_ERR_BAD_CURSOR')
  t.match(p.detail, /zzz/)
  t.equal(p.instance, '/v1/courses')
  t.equal(toProblem(new Error('secret db password leaked')).code, 'SG_ERR_INTERNAL')
  t.notMatch(toProblem(new Error('secret db password leaked')).detail, /secret/)
})
