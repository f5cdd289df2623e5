// The JSON report and its integrity block. The digest and the Ed25519 signature cover the canonical
// JSON of the report without `integrity`: keys sorted by UTF-16 code units, no whitespace, strings
// and numbers as ECMAScript JSON.stringify writes them. For the I-JSON data a report holds this is
// the same byte string RFC 8785 (JCS) produces, so a verifier in another language can use a JCS
// library. The digest alone only detects accidents: anyone can recompute it after an edit. The
// signature, checked against a pinned public key, is what shows who wrote the report.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto'
import { canonicalJson } from '../../specs/lib/canonical-json.js'
import { sgError } from '../../specs/lib/errors.js'
import { schemas } from '../../specs/lib/schemas.js'
import type { Report } from '../checks/framework.js'

export { canonicalJson }

/** The bytes the digest and the signature cover. */
export function signedBytes(report: Report): Buffer {
  const { integrity: _ignored, ...rest } = report
  return Buffer.from(canonicalJson(rest), 'utf8')
}

export const reportDigest = (report: Report): string => createHash('sha256').update(signedBytes(report)).digest('hex')

/** The report with `integrity.sha256` set (any previous integrity block is replaced). */
export function sealReport(report: Report): Report {
  return { ...report, integrity: { sha256: reportDigest(report) } }
}

function privateKey(pem: string): KeyObject {
  let key: KeyObject
  try {
    key = createPrivateKey(pem)
  } catch (err) {
    throw sgError('SG_ERR_REPORT_KEY', `cannot read the private key: ${(err as Error).message}`)
  }
  if (key.asymmetricKeyType !== 'ed25519') throw sgError('SG_ERR_REPORT_KEY', `the private key is ${key.asymmetricKeyType ?? 'symmetric'}, not ed25519`)
  return key
}

function publicKey(pemOrDerBase64: string, format: 'pem' | 'der'): KeyObject {
  let key: KeyObject
  try {
    key = format === 'pem' ? createPublicKey(pemOrDerBase64) : createPublicKey({ key: Buffer.from(pemOrDerBase64, 'base64'), format: 'der', type: 'spki' })
  } catch (err) {
    throw sgError('SG_ERR_REPORT_KEY', `cannot read the public key: ${(err as Error).message}`)
  }
  if (key.asymmetricKeyType !== 'ed25519') throw sgError('SG_ERR_REPORT_KEY', `the public key is ${key.asymmetricKeyType ?? 'symmetric'}, not ed25519`)
  return key
}

const spkiBase64 = (key: KeyObject): string => key.export({ format: 'der', type: 'spki' }).toString('base64')

/** A fresh Ed25519 key pair as PEM (PKCS#8 private, SPKI public). */
export function generateSigningKeys(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey: priv, publicKey: pub } = generateKeyPairSync('ed25519')
  return { privateKeyPem: priv.export({ format: 'pem', type: 'pkcs8' }).toString(), publicKeyPem: pub.export({ format: 'pem', type: 'spki' }).toString() }
}

/** Seal and sign: `integrity.sha256` plus an Ed25519 signature over the same canonical bytes. */
export function signReport(report: Report, o: { privateKeyPem: string; keyId: string }): Report {
  const key = privateKey(o.privateKeyPem)
  const bytes = signedBytes(report)
  return {
    ...report,
    integrity: {
      sha256: createHash('sha256').update(bytes).digest('hex'),
      signature: { algorithm: 'Ed25519', keyId: o.keyId, publicKey: spkiBase64(createPublicKey(key)), value: sign(null, bytes, key).toString('base64') },
    },
  }
}

export type VerifyReason = 'ok' | 'no-integrity' | 'tampered' | 'unsigned' | 'bad-signature' | 'key-mismatch'

export interface VerifyResult {
  ok: boolean
  reason: VerifyReason
  /** Bilingual explanation for the CLI and the HTML report. */
  message: { 'zh-CN': string; en: string }
  /** The SG_ERR_REPORT_* code when `ok` is false. */
  code?: string
  signed: boolean
  /** True when the signature was checked against a key the caller supplied, not the one embedded. */
  keyPinned: boolean
  keyId?: string
}

/**
 * Check the digest, then the signature if there is one. With `publicKeyPem` the signature must be
 * by that key (and a report without a signature fails); without it the embedded key is used, which
 * proves the report is unchanged since signing but not who signed it.
 */
export function verifyReport(report: Report, o: { publicKeyPem?: string } = {}): VerifyResult {
  const pinned = o.publicKeyPem !== undefined ? publicKey(o.publicKeyPem, 'pem') : undefined
  const integrity = report.integrity
  const sig = integrity?.signature
  const base = { signed: sig !== undefined, keyPinned: pinned !== undefined, ...(sig ? { keyId: sig.keyId } : {}) }
  if (!integrity) {
    return { ...base, ok: false, reason: 'no-integrity', code: 'SG_ERR_REPORT_TAMPERED', message: { 'zh-CN': '报告缺少 integrity 摘要，无法核验', en: 'The report has no integrity digest to verify' } }
  }
  const bytes = signedBytes(report)
  const digest = createHash('sha256').update(bytes).digest('hex')
  if (digest !== integrity.sha256) {
    return { ...base, ok: false, reason: 'tampered', code: 'SG_ERR_REPORT_TAMPERED', message: { 'zh-CN': `摘要不一致：报告内容在生成后被修改（记录 ${integrity.sha256}，实际 ${digest}）`, en: `Digest mismatch: the content changed after the report was written (recorded ${integrity.sha256}, computed ${digest})` } }
  }
  if (!sig) {
    if (pinned) return { ...base, ok: false, reason: 'unsigned', code: 'SG_ERR_REPORT_SIGNATURE_INVALID', message: { 'zh-CN': '已指定公钥，但报告未签名', en: 'A public key was given but the report is not signed' } }
    return { ...base, ok: true, reason: 'ok', message: { 'zh-CN': '摘要一致（报告未签名）', en: 'Digest matches (the report is not signed)' } }
  }
  if (pinned && spkiBase64(pinned) !== sig.publicKey) {
    return { ...base, ok: false, reason: 'key-mismatch', code: 'SG_ERR_REPORT_SIGNATURE_INVALID', message: { 'zh-CN': `报告由另一把密钥签名（keyId ${sig.keyId}），与指定公钥不符`, en: `The report was signed by another key (keyId ${sig.keyId}) than the one given` } }
  }
  let valid: boolean
  try {
    valid = verify(null, bytes, pinned ?? publicKey(sig.publicKey, 'der'), Buffer.from(sig.value, 'base64'))
  } catch {
    valid = false
  }
  if (!valid) {
    return { ...base, ok: false, reason: 'bad-signature', code: 'SG_ERR_REPORT_SIGNATURE_INVALID', message: { 'zh-CN': 'Ed25519 签名无效', en: 'The Ed25519 signature does not verify' } }
  }
  return pinned
    ? { ...base, ok: true, reason: 'ok', message: { 'zh-CN': `摘要一致，签名有效（指定公钥，keyId ${sig.keyId}）`, en: `Digest matches and the signature verifies with the given key (keyId ${sig.keyId})` } }
    : { ...base, ok: true, reason: 'ok', message: { 'zh-CN': `摘要一致，签名有效（使用报告内嵌公钥，未与签发方公钥比对；keyId ${sig.keyId}）`, en: `Digest matches and the signature verifies with the embedded key, which was not pinned (keyId ${sig.keyId})` } }
}

/** The file's text: indented for people; integrity does not depend on the layout. */
export const serializeReport = (report: Report): string => `${JSON.stringify(report, null, 2)}\n`

/** Parse and schema-check a JSON report (SG_ERR_REPORT_INVALID with path/expected/found). */
export function parseReport(textOrValue: string | unknown): Report {
  let data: unknown = textOrValue
  if (typeof textOrValue === 'string') {
    try {
      data = JSON.parse(textOrValue)
    } catch (err) {
      throw sgError('SG_ERR_REPORT_INVALID', `not JSON: ${(err as Error).message}`)
    }
  }
  const v = schemas().validate('conformance-report', data)
  if (!v.ok) {
    const shown = v.errors.slice(0, 5).map((e) => `at ${e.path}: expected ${e.expected}, found ${e.found}`).join('; ')
    throw sgError('SG_ERR_REPORT_INVALID', shown, { errors: v.errors })
  }
  return data as Report
}
