// The course-package reader against the hostile corpus (R5.2-1…3, R13, R15, R16: every package
// check stands on this reader). Each hostile fixture is a valid package plus one defect; its
// passing twin is `good-raw` (or the named twin) and the caps are proven by flipping one limit.
import t, { type Test } from 'tap'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, sep } from 'node:path'
import { errorCodes, isSkillgateError } from '../../specs/lib/errors.js'
import { writePackageZip, sampleManifest } from '../../fixtures/zips/good-package.js'
import { BASE_MANIFEST, GBK_NAMES, BOMB_BYTES, LESSON_BYTES, hostileZip, type HostileZipName } from '../../fixtures/zips/hostile.js'
import { buildRawZip, type RawEntrySpec } from '../../fixtures/zips/raw-zip.js'
import { HOSTILE_ZIP_CODES } from '../../fixtures/zips/expected-codes.js'
import { DEFAULT_PACKAGE_LIMITS, openPackage, parseManifest, type OpenPackageOptions, type PackageEntry } from './zip-reader.js'
import { jsonNestingDepth } from './zip-json-depth.js'
import { validateEntryName } from './zip-names.js'

const MiB = 1024 ** 2

/** A fresh test dir holding only an empty `sandbox/`; returns both paths. */
function sandboxIn(t: Test): { root: string; sandboxDir: string } {
  const root = t.testdir({ sandbox: {} })
  return { root, sandboxDir: join(root, 'sandbox') }
}

/** Sample RSS every 20 ms while `fn` runs; returns the peak growth over the starting RSS. */
async function peakRssGrowth<T>(fn: () => Promise<T>): Promise<{ result: PromiseSettledResult<T>; growth: number }> {
  const start = process.memoryUsage().rss
  let peak = start
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss) }, 20)
  const [result] = await Promise.allSettled([fn()])
  clearInterval(timer)
  peak = Math.max(peak, process.memoryUsage().rss)
  return { result, growth: peak - start }
}

async function expectRefusal(t: Test, fixture: HostileZipName, code: string, limits?: OpenPackageOptions['limits']): Promise<void> {
  const zip = await hostileZip(fixture)
  const { root, sandboxDir } = sandboxIn(t)
  const err = await openPackage(zip, { sandboxDir, limits }).then(() => undefined, (e: unknown) => e)
  t.ok(isSkillgateError(err), 'refused with a SkillgateError')
  if (!isSkillgateError(err)) return
  t.equal(err.code, code)
  const entry = errorCodes[code]
  t.ok(entry, 'code is in the inventory')
  t.match(err.message, entry?.fix.en ?? '∅', 'message carries the fix text')
  t.match(`${entry?.fix.en}`, /repack|pack|zip|save|rename|replace|remove|fix|generate/i, 'fix text tells the provider what to do')
  t.ok(entry?.fix['zh-CN'], 'fix text has a zh-CN version')
  t.same(readdirSync(sandboxDir), [], 'sandbox left empty')
  t.same(readdirSync(root), ['sandbox'], 'nothing written beside the sandbox')
  t.notOk(existsSync(join(root, '..', 'evil.txt')) || existsSync(join(root, 'evil.txt')), 'no traversal target written')
}

// Every hostile zip of the corpus is refused here, under the published default limits, with its
// code, fix text and nothing left behind; `skillgate check-package` runs only a handful of them.
const BOMBS: readonly HostileZipName[] = ['bomb-2gib', 'bomb-2gib-lying', 'many-entries']

t.test('hostile packages are refused with their specific code', async (t) => {
  // The bombs have their own tests below, with memory bounds.
  const cases = HOSTILE_ZIP_CODES.filter(([name]) => !BOMBS.includes(name))
  t.same(HOSTILE_ZIP_CODES.filter(([name]) => !cases.some(([c]) => c === name)).map(([name]) => name), BOMBS, 'the rest of the corpus is the bombs below')
  for (const [fixture, code] of cases) t.test(fixture, (t) => expectRefusal(t, fixture, code))
})

t.test('passing twins open', async (t) => {
  for (const fixture of ['good-raw', 'manifest-depth-32', 'gbk-names', 'gbk-names-flagged', 'unicode-path-extra'] as const) {
    t.test(fixture, async (t) => {
      const { sandboxDir } = sandboxIn(t)
      const pkg = await openPackage(await hostileZip(fixture), { sandboxDir })
      t.ok(pkg.entry('manifest.json'), 'root manifest found')
      await pkg.close()
      t.same(readdirSync(sandboxDir), [], 'close() empties the sandbox')
    })
  }
})

t.test('GBK names without the UTF-8 flag decode to the right Chinese', async (t) => {
  for (const fixture of ['gbk-names', 'gbk-names-flagged'] as const) {
    const { sandboxDir } = sandboxIn(t)
    const pkg = await openPackage(await hostileZip(fixture), { sandboxDir })
    t.teardown(() => pkg.close())
    const chinese = pkg.entries.filter((e) => e.name !== 'manifest.json')
    t.same(chinese.map((e) => e.name), [...GBK_NAMES], `${fixture}: names decoded`)
    t.same(new Set(chinese.map((e) => e.nameEncoding)), new Set(['gb18030']), `${fixture}: decoded as GB18030`)
    for (const e of chinese) t.equal(readFileSync(e.path, 'utf8').split(':')[0], e.name, `${e.name}: content belongs to that name`)
  }
  const { sandboxDir } = sandboxIn(t)
  const pkg = await openPackage(await hostileZip('unicode-path-extra'), { sandboxDir })
  t.teardown(() => pkg.close())
  t.equal(pkg.entry('课程/第二课.mp4')?.nameEncoding, 'unicode-path-extra', 'Info-ZIP Unicode Path field (0x7075) wins when its CRC matches')
})

t.test('a good yazl package yields hashed entries in the sandbox and the parsed manifest', async (t) => {
  const manifest = sampleManifest()
  const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2))
  const files = [
    { name: 'manifest.json', data: manifestBytes },
    { name: '课程/第一课.mp4', data: randomBytes(300_000) },
    { name: '课程/版权证明.pdf', data: randomBytes(20_000) },
    { name: '预览/试看片段.mp4', data: randomBytes(2 * MiB), store: true },
    { name: 'README.txt', data: Buffer.from('课程资源说明\n'.repeat(100)) },
  ]
  const { root, sandboxDir } = sandboxIn(t)
  const zip = join(root, 'good.zip')
  await writePackageZip(zip, files)
  const seen: string[] = []
  const pkg = await openPackage(zip, { sandboxDir, onEntry: (e: PackageEntry) => { seen.push(e.name) } })
  t.same(pkg.manifest, manifest, 'manifest parsed')
  t.equal(pkg.manifestSha256, createHash('sha256').update(manifestBytes).digest('hex'), 'manifest hash')
  t.same(pkg.entries.map((e) => e.name), files.map((f) => f.name), 'entries in central-directory order')
  t.equal(seen[0], 'manifest.json', 'manifest is extracted first')
  t.same([...seen].sort(), files.map((f) => f.name).sort(), 'onEntry saw every file')
  for (const f of files) {
    const e = pkg.entry(f.name)
    t.ok(e, `${f.name} present`)
    if (!e) continue
    t.equal(e.sha256, createHash('sha256').update(f.data).digest('hex'), `${f.name}: sha256 of the original bytes`)
    t.equal(e.size, f.data.length, `${f.name}: size`)
    t.ok(readFileSync(e.path).equals(f.data), `${f.name}: extracted bytes equal the original`)
    const rel = relative(sandboxDir, e.path)
    t.ok(!rel.startsWith('..') && dirname(e.path) === pkg.extractDir && rel.split(sep).length === 2, `${f.name}: written inside the sandbox under a derived name (${rel})`)
    t.equal(e.nameEncoding, /[^\x20-\x7e]/.test(f.name) ? 'utf-8' : 'ascii', `${f.name}: name encoding`)
  }
  t.equal(pkg.entry('课程/第一课.mp4'.normalize('NFD'))?.name, '课程/第一课.mp4', 'lookup normalises to NFC')
  t.same(readdirSync(root).sort(), ['good.zip', 'sandbox'], 'nothing written beside the sandbox')
  await pkg.close()
  await pkg.close()
  t.same(readdirSync(sandboxDir), [], 'close() removes the extraction, idempotently')
})

t.test('a refusal after extraction started removes what was extracted, and only that', async (t) => {
  const root = t.testdir({ sandbox: { 'provider-note.txt': 'not ours' } })
  const sandboxDir = join(root, 'sandbox')
  const extracted: string[] = []
  await t.rejects(openPackage(await hostileZip('crc-mismatch'), { sandboxDir, onEntry: (e) => { extracted.push(e.path) } }), { code: 'SG_ERR_ZIP_CORRUPT' })
  t.equal(extracted.length, 2, 'manifest and lesson were extracted before the bad entry')
  t.notOk(extracted.some((p) => existsSync(p)), 'their files are gone')
  t.same(readdirSync(sandboxDir), ['provider-note.txt'], 'pre-existing sandbox content is untouched')
})

t.test('caps are overridable; each flips a passing package to a refusal', async (t) => {
  t.test('per-entry cap refuses the 2 GiB bomb by declared size (R13)', async (t) => {
    t.equal(BOMB_BYTES, 2 * 1024 ** 3)
    t.equal(DEFAULT_PACKAGE_LIMITS.maxEntryBytes, 1024 ** 3, 'the published default cap (1 GiB) applies')
    const { growth } = await peakRssGrowth(() => expectRefusal(t, 'bomb-2gib', 'SG_ERR_ZIP_TOO_LARGE'))
    t.comment(`bomb-2gib (declared): peak RSS growth ${(growth / MiB).toFixed(1)} MiB`)
    t.ok(growth < 300 * MiB, 'memory bounded')
  })
  t.test('a directory that under-declares the bomb is caught while inflating', async (t) => {
    const { growth } = await peakRssGrowth(() => expectRefusal(t, 'bomb-2gib-lying', 'SG_ERR_ZIP_SIZE_MISMATCH'))
    t.comment(`bomb-2gib-lying (streamed): peak RSS growth ${(growth / MiB).toFixed(1)} MiB`)
    t.ok(growth < 300 * MiB, 'memory bounded')
  })
  t.test('200,000 entries: refused from the EOCD count, and with the cap raised after walking them all', async (t) => {
    const first = await peakRssGrowth(() => expectRefusal(t, 'many-entries', 'SG_ERR_ZIP_TOO_MANY_ENTRIES'))
    t.comment(`many-entries (EOCD count): peak RSS growth ${(first.growth / MiB).toFixed(1)} MiB`)
    const walked = await peakRssGrowth(() => expectRefusal(t, 'many-entries-last-duplicate', 'SG_ERR_ZIP_DUPLICATE_NAME', { maxEntries: 250_000 }))
    t.comment(`many-entries-last-duplicate (200,000 records walked): peak RSS growth ${(walked.growth / MiB).toFixed(1)} MiB`)
    t.ok(walked.growth < 300 * MiB, 'memory bounded')
  })
  t.test('entry count', async (t) => {
    await expectRefusal(t, 'good-raw', 'SG_ERR_ZIP_TOO_MANY_ENTRIES', { maxEntries: 1 })
    const { sandboxDir } = sandboxIn(t)
    await (await openPackage(await hostileZip('good-raw'), { sandboxDir, limits: { maxEntries: 2 } })).close()
  })
  t.test('compression ratio', async (t) => {
    const { sandboxDir } = sandboxIn(t)
    await (await openPackage(await hostileZip('ratio-4mib-zeros'), { sandboxDir, limits: { maxCompressionRatio: 5000 } })).close()
    t.pass('the same entry passes under a looser ratio cap')
  })
  t.test('total size and per-entry size', async (t) => {
    await expectRefusal(t, 'good-raw', 'SG_ERR_ZIP_TOO_LARGE', { maxTotalBytes: 1000 })
    await expectRefusal(t, 'good-raw', 'SG_ERR_ZIP_TOO_LARGE', { maxEntryBytes: 1000 })
  })
  t.test('manifest size', async (t) => {
    await expectRefusal(t, 'good-raw', 'SG_ERR_MANIFEST_TOO_LARGE', { maxManifestBytes: 10 })
  })
  t.test('name length and depth', async (t) => {
    await expectRefusal(t, 'good-raw', 'SG_ERR_ZIP_BAD_NAME', { maxSegmentBytes: 5 })
    await expectRefusal(t, 'good-raw', 'SG_ERR_ZIP_BAD_NAME', { maxPathDepth: 1 })
    await expectRefusal(t, 'good-raw', 'SG_ERR_ZIP_BAD_NAME', { maxNameBytes: 12 })
  })
  t.test('the published defaults are the ones enforced', async (t) => {
    const published = JSON.parse(readFileSync(new URL('../../specs/package/limits.json', import.meta.url), 'utf8')) as Record<string, unknown>
    for (const [k, v] of Object.entries(DEFAULT_PACKAGE_LIMITS)) t.equal(published[k], v, k)
    t.ok(DEFAULT_PACKAGE_LIMITS.maxEntryBytes < 2 * 1024 ** 3, 'default per-entry cap refuses a 2 GiB entry')
  })
})

t.test('entry-name validation', async (t) => {
  const limits = DEFAULT_PACKAGE_LIMITS
  const ok: [string, string, boolean][] = [
    ['课程/第一课.mp4', '课程/第一课.mp4', false],
    ['课程/', '课程/', true],
    ['cafe\u0301.txt', 'café.txt', false],
    ['a..b/c.txt', 'a..b/c.txt', false],
  ]
  for (const [input, name, isDirectory] of ok) t.same(validateEntryName(input, limits), { name, isDirectory }, `accepts ${JSON.stringify(input)}`)
  const bad: [string, string][] = [
    ['../a', 'SG_ERR_ZIP_TRAVERSAL'], ['a/..', 'SG_ERR_ZIP_TRAVERSAL'], ['/a', 'SG_ERR_ZIP_TRAVERSAL'],
    ['c:a', 'SG_ERR_ZIP_TRAVERSAL'], ['a\\b', 'SG_ERR_ZIP_TRAVERSAL'],
    ['a\u0000b', 'SG_ERR_ZIP_BAD_NAME'], ['a\u202eb', 'SG_ERR_ZIP_BAD_NAME'], ['', 'SG_ERR_ZIP_BAD_NAME'], ['/', 'SG_ERR_ZIP_TRAVERSAL'],
    ['a//b', 'SG_ERR_ZIP_BAD_NAME'], ['./a', 'SG_ERR_ZIP_BAD_NAME'], ['a/./b', 'SG_ERR_ZIP_BAD_NAME'], ['x'.repeat(256), 'SG_ERR_ZIP_BAD_NAME'],
  ]
  for (const [input, code] of bad) t.throws(() => validateEntryName(input, limits), { code }, `refuses ${JSON.stringify(input)}`)
})

t.test('manifest depth scanner ignores brackets inside strings', async (t) => {
  t.equal(jsonNestingDepth('{"a":"[[[[{{{{"}', 32), 1)
  t.equal(jsonNestingDepth('["\\"[[[", [[]]]', 32), 3)
  t.equal(jsonNestingDepth('[[[[', 2), 3, 'stops counting once over the limit')
  t.equal(jsonNestingDepth('"just a string"', 32), 0)
  t.same(parseManifest(Buffer.from('\ufeff{"a":1}'), DEFAULT_PACKAGE_LIMITS), { a: 1 }, 'a UTF-8 BOM is tolerated')
})

t.test('stored entries read in place: the same checks and codes as an extraction, the same bytes, no copy until asked (R13)', async (t) => {
  t.test('the hostile corpus gives the same codes with every stored entry read in place', async (t) => {
    for (const [fixture, code] of HOSTILE_ZIP_CODES.filter(([name]) => !name.startsWith('bomb-') && name !== 'many-entries')) {
      const { sandboxDir } = sandboxIn(t)
      await t.rejects(openPackage(await hostileZip(fixture), { sandboxDir, readInPlace: () => true }), { code }, fixture)
      t.same(readdirSync(sandboxDir), [], `${fixture}: sandbox left empty`)
    }
  })
  t.test('stored twins: nested archive, CRC, size lie are refused in place; the honest twin opens', async (t) => {
    const data = Buffer.from(LESSON_BYTES)
    const cases: Array<[string, RawEntrySpec, string | undefined]> = [
      ['honest', { name: 'a.mp4', data, method: 0 }, undefined],
      ['nested zip', { name: 'a.mp4', data: buildRawZip([{ name: 'inner.txt', data: 'hi' }]), method: 0 }, 'SG_ERR_ZIP_NESTED'],
      ['CRC-32', { name: 'a.mp4', data, method: 0, central: { crc32: 0x12345678 } }, 'SG_ERR_ZIP_CORRUPT'],
      ['size lie', { name: 'a.mp4', data, method: 0, central: { uncompressedSize: 100 } }, 'SG_ERR_ZIP_SIZE_MISMATCH'],
    ]
    for (const [name, entry, code] of cases) {
      const { root, sandboxDir } = sandboxIn(t)
      const zip = join(root, `${name}.zip`)
      writeFileSync(zip, buildRawZip([{ name: 'manifest.json', data: BASE_MANIFEST }, entry]))
      for (const inPlace of [false, true]) {
        const opened = openPackage(zip, { sandboxDir, readInPlace: () => inPlace })
        if (code) await t.rejects(opened, { code }, `${name}, ${inPlace ? 'in place' : 'extracted'}`)
        else await (await opened).close()
      }
    }
  })
  t.test('an in-place entry reads the same bytes, and localPath() writes them out only when asked', async (t) => {
    const { root, sandboxDir } = sandboxIn(t)
    const media = randomBytes(3 * MiB + 17)
    const doc = Buffer.from('说明\n'.repeat(500))
    const zip = join(root, 'good.zip')
    await writePackageZip(zip, [{ name: 'manifest.json', data: Buffer.from(JSON.stringify(sampleManifest())) }, { name: 'v.mp4', data: media, store: true }, { name: 'd.txt', data: doc }])
    const pkg = await openPackage(zip, { sandboxDir, readInPlace: () => true })
    t.teardown(() => pkg.close())
    const v = pkg.entry('v.mp4')!
    const d = pkg.entry('d.txt')!
    t.equal(v.inPlace, true, 'the stored entry is read in place')
    t.equal(d.inPlace, false, 'a deflated entry is extracted')
    t.equal(v.sha256, createHash('sha256').update(media).digest('hex'), 'hashed in place')
    t.notOk(existsSync(v.path), 'no copy on disk')
    t.ok((await v.read(MiB - 5, 1000)).equals(media.subarray(MiB - 5, MiB + 995)), 'a range from the middle')
    t.ok((await v.read(media.length - 10, 100)).equals(media.subarray(media.length - 10)), 'short at the end')
    t.equal((await v.read(media.length + 5, 10)).length, 0, 'nothing past the end')
    t.ok((await d.read(2, 6)).equals(doc.subarray(2, 8)), 'extracted entries read the same way')
    const local = await v.localPath()
    t.equal(local, v.path)
    t.ok(readFileSync(local).equals(media), 'localPath() writes the same bytes')
    t.equal(await v.localPath(), local, 'once')
  })
})
