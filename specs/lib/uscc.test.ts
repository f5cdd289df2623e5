// R5-0: an applicant's unified social credit code is checked by its GB 32100-2015 check digit.
import t from 'tap'
import { usccCheckDigit, validateUscc } from './uscc.js'

t.test('R5-0 valid codes pass and a one-character typo fails with the reason', async (t) => {
  t.same(validateUscc('91350100M000100Y43'), { ok: true })
  t.same(validateUscc('91110108MA01A2B3CF'), { ok: true }, 'the spec examples use a valid code')
  const typo = validateUscc('91350100M000100Y44')
  t.equal(typo.ok, false)
  t.match(typo, { reason: /check digit is 4 but .* give 3/ })
})

t.test('R5-0 structure: length and alphabet', async (t) => {
  t.match(validateUscc('9135010'), { ok: false, reason: /18 characters/ })
  t.match(validateUscc('91350100M000100YO3'), { ok: false, reason: /without I, O/ })
  t.equal(usccCheckDigit('short'), undefined)
})
