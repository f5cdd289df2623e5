import t from 'tap'
import { generateKeyPairSync } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { isSkillgateError } from '../../specs/lib/errors.js'
import { schemas } from '../../specs/lib/schemas.js'
import { canonicalJson, generateSigningKeys, parseReport, reportDigest, sealReport, serializeReport, signReport, verifyReport } from './json.js'
import { sampleReport } from './sample-report.test-support.js'
import { writeReports } from './write.js'

t.test('canonical JSON: keys sorted by code unit, no whitespace, JSON.stringify scalars (RFC 8785 for I-JSON)', async (t) => {
  t.equal(canonicalJson({ b: 1, a: [1, 2.5, 'x', null], c: { z: null, y: true, skipped: undefined } }), '{"a":[1,2.5,"x",null],"b":1,"c":{"y":true,"z":null}}')
  // RFC 8785 §3.2.3 orders by UTF-16 code units: "\u20ac" (€) sorts before "\ud83d\ude00" (😀) and after "\r".
  t.equal(canonicalJson({ '😀': 1, '€': 2, '\r': 3, '1': 4, A: 5 }), '{"\\r":3,"1":4,"A":5,"€":2,"😀":1}')
  t.equal(canonicalJson({ n: 1e21, f: 0.1 + 0.2, neg: -0 }), '{"f":0.30000000000000004,"n":1e+21,"neg":0}')
  t.throws(() => canonicalJson({ x: Number.NaN }), /non-finite number/)
  t.equal(canonicalJson({ b: { y: 1, x: 2 }, a: 0 }), canonicalJson({ a: 0, b: { x: 2, y: 1 } }), 'insertion order does not matter')
})

t.test('sealed and signed reports validate against the report schema; the digest ignores layout', async (t) => {
  const report = await sampleReport()
  const sealed = sealReport(report)
  t.ok(schemas().validate('conformance-report', sealed).ok, JSON.stringify(schemas().validate('conformance-report', sealed).errors))
  t.equal(sealed.integrity?.sha256, reportDigest(report))
  t.equal(reportDigest(JSON.parse(JSON.stringify(sealed))), sealed.integrity?.sha256, 'digest excludes the integrity block itself')
  const keys = generateSigningKeys()
  const signed = signReport(report, { ...keys, keyId: 'gw-2026' })
  t.ok(schemas().validate('conformance-report', signed).ok)
  t.equal(signed.integrity?.signature?.algorithm, 'Ed25519')
  t.equal(signed.integrity?.sha256, sealed.integrity?.sha256)
  const compact = parseReport(JSON.stringify(signed))
  t.ok(verifyReport(compact, { publicKeyPem: keys.publicKeyPem }).ok, 'compact and indented files verify alike')
})

t.test('signature round trip and tamper detection (one byte of a measured value)', async (t) => {
  const dir = t.testdir({})
  const keys = generateSigningKeys()
  const paths = await writeReports(await sampleReport(), dir, ['json'], { signing: { ...keys, keyId: 'kit-local' } })
  const file = paths.json as string
  const text = readFileSync(file, 'utf8')
  const ok = verifyReport(parseReport(text), { publicKeyPem: keys.publicKeyPem })
  t.same({ ok: ok.ok, reason: ok.reason, signed: ok.signed, keyPinned: ok.keyPinned, keyId: ok.keyId }, { ok: true, reason: 'ok', signed: true, keyPinned: true, keyId: 'kit-local' })
  t.ok(verifyReport(parseReport(text)).ok, 'the embedded key verifies too')
  t.equal(verifyReport(parseReport(text)).keyPinned, false)

  t.ok(text.includes('"playableSeconds": 431.2'))
  const flipped = text.replace('"playableSeconds": 431.2', '"playableSeconds": 631.2')
  t.equal(Buffer.byteLength(flipped), Buffer.byteLength(text))
  const tampered = verifyReport(parseReport(flipped), { publicKeyPem: keys.publicKeyPem })
  t.same([tampered.ok, tampered.reason, tampered.code], [false, 'tampered', 'SG_ERR_REPORT_TAMPERED'])

  // An editor who also recomputes the digest is caught by the signature.
  const edited = parseReport(flipped)
  const resealed = { ...edited, integrity: { ...edited.integrity!, sha256: reportDigest(edited) } }
  const forged = verifyReport(resealed, { publicKeyPem: keys.publicKeyPem })
  t.same([forged.ok, forged.reason, forged.code], [false, 'bad-signature', 'SG_ERR_REPORT_SIGNATURE_INVALID'])
  t.equal(verifyReport(resealed).reason, 'bad-signature', 'also without a pinned key')

  // ...and one who re-signs with their own key is caught by pinning.
  const other = generateSigningKeys()
  const resigned = signReport(edited, { ...other, keyId: 'kit-local' })
  t.ok(verifyReport(resigned).ok, 'self-consistent with its embedded key')
  t.equal(verifyReport(resigned, { publicKeyPem: keys.publicKeyPem }).reason, 'key-mismatch')

  const unsigned = sealReport(edited)
  t.ok(verifyReport(unsigned).ok)
  t.equal(verifyReport(unsigned, { publicKeyPem: keys.publicKeyPem }).reason, 'unsigned')
  const { integrity: _i, ...bare } = edited
  t.equal(verifyReport(bare).reason, 'no-integrity')
  writeFileSync(file, flipped)
})

t.test('keys that are not Ed25519, and files that are not reports', async (t) => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
  const report = await sampleReport()
  const e1 = t.throws(() => signReport(report, { privateKeyPem: rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), keyId: 'x' }))
  t.ok(isSkillgateError(e1) && e1.code === 'SG_ERR_REPORT_KEY')
  const e2 = t.throws(() => verifyReport(sealReport(report), { publicKeyPem: 'not a key' }))
  t.ok(isSkillgateError(e2) && e2.code === 'SG_ERR_REPORT_KEY')
  const e3 = t.throws(() => parseReport('{"reportVersion":"1.0"}'))
  t.ok(isSkillgateError(e3) && e3.code === 'SG_ERR_REPORT_INVALID')
  t.match((e3 as Error).message, /at \/tool: expected a required property/)
  const e4 = t.throws(() => parseReport('{ nope'))
  t.ok(isSkillgateError(e4) && e4.code === 'SG_ERR_REPORT_INVALID')
  t.ok(parseReport(serializeReport(sealReport(report))))
})
