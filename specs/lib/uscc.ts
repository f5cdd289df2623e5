// Unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters from a 31-symbol
// alphabet (no I, O, S, V, Z); the last is a check digit over the first 17 (R5-0 evidence).
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

export function usccCheckDigit(first17: string): string | undefined {
  if (first17.length !== 17) return undefined
  let sum = 0
  for (let i = 0; i < 17; i++) {
    const v = ALPHABET.indexOf(first17.charAt(i))
    if (v < 0) return undefined
    sum += v * WEIGHTS[i]!
  }
  return ALPHABET.charAt((31 - (sum % 31)) % 31)
}

/** Structure and check digit; says what is wrong so an applicant can correct a typo. */
export function validateUscc(code: string): { ok: true } | { ok: false; reason: string } {
  if (!/^[0-9A-HJ-NP-RTUWXY]{18}$/.test(code)) return { ok: false, reason: 'must be 18 characters of 0-9 and A-Z without I, O, S, V, Z' }
  const expected = usccCheckDigit(code.slice(0, 17))
  if (expected !== code.charAt(17)) return { ok: false, reason: `check digit is ${code.charAt(17)} but the first 17 characters give ${expected}` }
  return { ok: true }
}
