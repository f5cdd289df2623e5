// The only door through which a course package (R5.2-1…3, R13, R15, R16) enters skillgate.
// Packages come from strangers, so the reader works in two passes:
//   1. metadata: every central-directory record and its local header is read and judged (names,
//      symlinks, encryption, methods, declared sizes and ratios, duplicates, overlapping data,
//      manifest at the root) before a single byte is written;
//   2. extraction: manifest.json first (so a bad manifest costs nothing), then every file is
//      inflated, counted, hashed and streamed into a fresh directory inside `sandboxDir`, named by
//      its entry index (never by its name).
// Any refusal removes that directory, so the sandbox is left as it was found.
import { constants as fsConstants, mkdir, mkdtemp, open, readFile, rm, type FileHandle } from 'node:fs/promises'
import { closeSync, close as closeFd, fstat, open as openFd } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { Readable } from 'node:stream'
import yauzl from 'yauzl'
import type { Entry, ZipFile } from 'yauzl'
import { sgError } from '../../specs/lib/errors.js'
import { BlockCachedFileReader } from './zip-block-reader.js'
import { classifyZipError } from './zip-errors.js'
import { extractEntryToFile, inspectStoredEntry, type ExtractBudget, type ExtractResult } from './zip-extract-entry.js'
import { jsonNestingDepth } from './zip-json-depth.js'
import { resolvePackageLimits, type PackageLimits } from './zip-limits.js'
import { detectArchiveMagic } from './zip-magic.js'
import { assertNoTraversal, decodeEntryName, printable, validateEntryName, type NameEncoding } from './zip-names.js'

export { DEFAULT_PACKAGE_LIMITS, resolvePackageLimits, type PackageLimits } from './zip-limits.js'
export { classifyZipError } from './zip-errors.js'
export type { NameEncoding } from './zip-names.js'

export const MANIFEST_NAME = 'manifest.json'

/** One extracted file. Directory entries are listed separately in `OpenedPackage.directories`. */
export interface PackageEntry {
  /** Position in the central directory (0-based, directories counted). */
  index: number
  /** Validated logical name: NFC, '/'-separated, relative, no '..'. Match manifest paths against this. */
  name: string
  /** How the raw name bytes were decoded. */
  nameEncoding: NameEncoding
  /** Bytes counted while inflating (equal to the declared size, or the package was refused). */
  size: number
  compressedSize: number
  /** Lower-case hex SHA-256 of the uncompressed bytes. */
  sha256: string
  crc32: number
  /**
   * Absolute path of the extracted copy inside the sandbox; valid until `close()`. For an entry
   * read in place (`inPlace`), the copy exists only once `localPath()` has made it.
   */
  path: string
  /** A stored entry checked and read where it lies in the zip (OpenPackageOptions.readInPlace). */
  inPlace: boolean
  /** Up to `length` bytes of the entry from `offset` (fewer only at its end); in place or from the copy. */
  read(offset: number, length: number): Promise<Buffer>
  /** `path`, after extracting an in-place entry there on first use (ffprobe needs a file). */
  localPath(): Promise<string>
}

export interface OpenedPackage {
  /** Files in central-directory order. */
  entries: PackageEntry[]
  /** Explicit directory entries (names end with '/'). */
  directories: string[]
  /** The parsed root manifest.json; validating its shape is the caller's job. */
  manifest: unknown
  manifestSha256: string
  /** The directory inside `sandboxDir` holding this package's files. */
  extractDir: string
  /** Look an entry up by logical name (NFC-normalised before lookup). */
  entry(name: string): PackageEntry | undefined
  /** Removes `extractDir` and everything in it. Idempotent. */
  close(): Promise<void>
}

export interface OpenPackageOptions {
  /** Created if missing. The reader writes only inside a fresh `pkg-*` directory beneath it. */
  sandboxDir: string
  limits?: Partial<PackageLimits>
  /**
   * Streaming hook: awaited after each file is on disk and hashed, before the next is read, so a
   * caller can start probing media early. If openPackage later rejects, those files are deleted.
   */
  onEntry?: (entry: PackageEntry) => void | Promise<void>
  /**
   * Stored (uncompressed) entries for which this returns true are checked in place (size, CRC-32,
   * SHA-256, nested archives: the same as an extraction) but not copied out: they are read from the
   * zip itself until `close()`. Media is stored, and most of a package's bytes; copying it out
   * doubled the bytes moved. The manifest is always extracted. The zip must not change meanwhile
   * (the gateway's blobs are content-addressed; the CLI reads the user's own file).
   */
  readInPlace?: (name: string) => boolean
}

const GP_ENCRYPTED = 0x1
const GP_STRONG_ENCRYPTION = 0x40
const METHOD_STORED = 0
const METHOD_DEFLATE = 8
const S_IFMT = 0o170000
const S_IFLNK = 0o120000
const S_IFREG = 0o100000
const S_IFDIR = 0o040000
const HOST_UNIX = 3

interface EntryPlan {
  index: number
  name: string
  nameEncoding: NameEncoding
  isDirectory: boolean
  method: number
  crc32: number
  compressedSize: number
  uncompressedSize: number
  localHeaderOffset: number
  fileDataStart: number
}

/** Open, vet and extract a course package. Rejects with an SG_ERR_ZIP_* / SG_ERR_MANIFEST_* SkillgateError on any refusal. */
export async function openPackage(zipPath: string, options: OpenPackageOptions): Promise<OpenedPackage> {
  const limits = resolvePackageLimits(options.limits)
  await assertLooksLikeZip(zipPath)
  const zip = await openZip(zipPath).catch((err: unknown) => { throw classifyZipError(err) })
  let lateError: unknown
  zip.on('error', (err: unknown) => { lateError ??= err })
  let extractDir: string | undefined
  try {
    const plans = await planEntries(zip, limits)
    await mkdir(options.sandboxDir, { recursive: true })
    extractDir = await mkdtemp(join(options.sandboxDir, 'pkg-'))
    const opened = await extractAll(zip, plans, extractDir, limits, options, zipPath)
    if (lateError) throw lateError
    return opened
  } catch (err) {
    if (extractDir) await rm(extractDir, { recursive: true, force: true })
    throw classifyZipError(err)
  } finally {
    zip.close()
  }
}

async function assertLooksLikeZip(zipPath: string): Promise<void> {
  const fh = await open(zipPath, 'r')
  const head = Buffer.alloc(16)
  let bytesRead: number
  try {
    ({ bytesRead } = await fh.read(head, 0, head.length, 0))
  } finally {
    await fh.close()
  }
  const sig = bytesRead >= 4 ? head.readUInt32LE(0) : -1
  // A package must start with a local header (or be the empty-archive EOCD); prepended data and
  // self-extractors are refused rather than searched, because tools disagree on their offsets.
  if (sig === 0x04034b50 || sig === 0x06054b50) return
  const kind = detectArchiveMagic(head.subarray(0, bytesRead))
  throw sgError('SG_ERR_ZIP_NOT_ZIP', bytesRead === 0 ? 'the file is empty' : kind ? `the file is a ${kind} archive` : 'the file does not start with a zip header')
}

async function openZip(zipPath: string): Promise<ZipFile> {
  // A raw fd, not a FileHandle: the reader closes it itself once yauzl drops its last reference.
  const fd = await promisify(openFd)(zipPath, 'r')
  let size: number
  try {
    ({ size } = await promisify(fstat)(fd))
  } catch (err) {
    closeSync(fd)
    throw err
  }
  const reader = new BlockCachedFileReader(fd, size)
  return new Promise((resolve, reject) => {
    yauzl.fromRandomAccessReader(reader, size, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true }, (err, zip) => {
      if (!err) return resolve(zip)
      // yauzl only releases the reader through ZipFile.close(), which does not exist on failure.
      closeFd(fd, () => reject(err))
    })
  })
}

function readLocalHeader(zip: ZipFile, entry: Entry): Promise<yauzl.LocalFileHeader> {
  return new Promise((resolve, reject) => {
    zip.readLocalFileHeader(entry, {}, (err, header) => (err ? reject(err) : resolve(header)))
  })
}

function openRawStream(zip: ZipFile, plan: EntryPlan): Promise<Readable> {
  return new Promise((resolve, reject) => {
    zip.openReadStreamLowLevel(plan.fileDataStart, plan.compressedSize, 0, plan.compressedSize, plan.method === METHOD_DEFLATE, plan.uncompressedSize,
      (err, stream) => (err ? reject(err) : resolve(stream)))
  })
}

/** Pass 1: judge the central directory (and each local header) without writing anything. */
async function planEntries(zip: ZipFile, limits: Readonly<PackageLimits>): Promise<EntryPlan[]> {
  // The EOCD count is checked before reading, so 200,000 entries cost one read, not 200,000.
  if (zip.entryCount > limits.maxEntries) {
    throw sgError('SG_ERR_ZIP_TOO_MANY_ENTRIES', `the package has ${zip.entryCount} entries; the limit is ${limits.maxEntries}`, { entries: zip.entryCount, limit: limits.maxEntries })
  }
  const plans: EntryPlan[] = []
  const names = new Set<string>()
  const impliedDirs = new Set<string>()
  const misplacedManifests: string[] = []
  let declaredTotal = 0
  let index = 0
  // yauzl checks a stored entry's sizes before it shows us the entry, so an encrypted stored entry
  // would read as a size mismatch; planEntry checks the flag first, then the sizes itself.
  const sized = zip as unknown as { validateEntrySizes: boolean }
  sized.validateEntrySizes = false
  try {
    await planAll()
  } finally {
    sized.validateEntrySizes = true
  }
  async function planAll(): Promise<void> {
    for await (const entry of zip.eachEntry()) {
      const plan = await planEntry(zip, entry, index++, limits)
      if (names.has(plan.name)) throw sgError('SG_ERR_ZIP_DUPLICATE_NAME', `"${printable(plan.name)}" appears more than once`, { name: plan.name })
      names.add(plan.name)
      const segments = plan.name.replace(/\/$/, '').split('/')
      for (let i = 1; i < segments.length; i++) impliedDirs.add(segments.slice(0, i).join('/'))
      if (plan.isDirectory) impliedDirs.add(segments.join('/'))
      if (segments.length > 1 && segments.at(-1) === MANIFEST_NAME && !plan.isDirectory) misplacedManifests.push(plan.name)
      declaredTotal += plan.uncompressedSize
      if (declaredTotal > limits.maxTotalBytes) throw sgError('SG_ERR_ZIP_TOO_LARGE', `the package declares more than ${limits.maxTotalBytes} uncompressed bytes`, { limit: limits.maxTotalBytes })
      plans.push(plan)
    }
  }
  for (const plan of plans) {
    if (!plan.isDirectory && impliedDirs.has(plan.name)) throw sgError('SG_ERR_ZIP_DUPLICATE_NAME', `"${printable(plan.name)}" is both a file and a folder`, { name: plan.name })
  }
  assertNoOverlap(plans)
  if (!plans.some((p) => p.name === MANIFEST_NAME && !p.isDirectory)) {
    const where = misplacedManifests.length ? `; found ${misplacedManifests.slice(0, 3).map((n) => `"${printable(n)}"`).join(', ')} instead` : ''
    throw sgError('SG_ERR_ZIP_NO_MANIFEST', `no ${MANIFEST_NAME} at the root${where}`, { found: misplacedManifests.slice(0, 10) })
  }
  return plans
}

async function planEntry(zip: ZipFile, entry: Entry, index: number, limits: Readonly<PackageLimits>): Promise<EntryPlan> {
  const decoded = decodeEntryName(entry.fileNameRaw, entry.generalPurposeBitFlag, entry.extraFields)
  if (decoded.rawFallback !== undefined) assertNoTraversal(decoded.rawFallback)
  const { name, isDirectory } = validateEntryName(decoded.name, limits)
  const where = `entry "${printable(name)}"`
  if (entry.generalPurposeBitFlag & (GP_ENCRYPTED | GP_STRONG_ENCRYPTION)) throw sgError('SG_ERR_ZIP_ENCRYPTED', `${where} is encrypted`, { name })

  const mode = entry.externalFileAttributes >>> 16
  const type = mode & S_IFMT
  // S_IFLNK is refused whatever host the record claims; other Unix file types only when the
  // record says it was made on Unix, since other hosts leave those bits undefined.
  if (type === S_IFLNK) throw sgError('SG_ERR_ZIP_SYMLINK', `${where} is a symbolic link`, { name })
  if ((entry.versionMadeBy >>> 8) === HOST_UNIX && type !== 0 && type !== S_IFREG && type !== S_IFDIR) {
    throw sgError('SG_ERR_ZIP_SYMLINK', `${where} is a special file (mode ${mode.toString(8)})`, { name })
  }
  if (entry.compressionMethod !== METHOD_STORED && entry.compressionMethod !== METHOD_DEFLATE) {
    throw sgError('SG_ERR_ZIP_UNSUPPORTED_METHOD', `${where} uses compression method ${entry.compressionMethod}`, { name, method: entry.compressionMethod })
  }
  if (entry.compressionMethod === METHOD_STORED && entry.compressedSize !== entry.uncompressedSize) {
    throw sgError('SG_ERR_ZIP_SIZE_MISMATCH', `${where}: compressed/uncompressed size mismatch for stored file: ${entry.compressedSize} != ${entry.uncompressedSize}`, { name })
  }
  if (isDirectory && entry.uncompressedSize !== 0) throw sgError('SG_ERR_ZIP_CORRUPT', `folder ${where} carries ${entry.uncompressedSize} bytes of data`, { name })
  if (entry.uncompressedSize > limits.maxEntryBytes) {
    throw sgError('SG_ERR_ZIP_TOO_LARGE', `${where} declares ${entry.uncompressedSize} bytes; the limit is ${limits.maxEntryBytes}`, { name, declared: entry.uncompressedSize, limit: limits.maxEntryBytes })
  }
  if (entry.uncompressedSize >= limits.ratioMinEntryBytes && entry.uncompressedSize > limits.maxCompressionRatio * entry.compressedSize) {
    const ratio = entry.compressedSize === 0 ? 'unbounded' : `${Math.round(entry.uncompressedSize / entry.compressedSize)}:1`
    throw sgError('SG_ERR_ZIP_RATIO', `${where} compresses ${ratio}; the limit is ${limits.maxCompressionRatio}:1`, { name, limit: limits.maxCompressionRatio })
  }
  if (name === MANIFEST_NAME && entry.uncompressedSize > limits.maxManifestBytes) {
    throw sgError('SG_ERR_MANIFEST_TOO_LARGE', `${MANIFEST_NAME} declares ${entry.uncompressedSize} bytes; the limit is ${limits.maxManifestBytes}`, { declared: entry.uncompressedSize, limit: limits.maxManifestBytes })
  }

  // The local header is what streaming unzippers (and the provider's own tools) see; if it names
  // a different file or hides encryption, the two views of this archive disagree.
  const local = await readLocalHeader(zip, entry)
  if (!local.fileName.equals(entry.fileNameRaw)) throw sgError('SG_ERR_ZIP_HEADER_MISMATCH', `${where} has a different name in its local header`, { name })
  if (local.generalPurposeBitFlag & (GP_ENCRYPTED | GP_STRONG_ENCRYPTION)) throw sgError('SG_ERR_ZIP_ENCRYPTED', `${where} is encrypted in its local header`, { name })
  if (local.compressionMethod !== entry.compressionMethod) throw sgError('SG_ERR_ZIP_HEADER_MISMATCH', `${where} has a different compression method in its local header`, { name })

  return {
    index, name, nameEncoding: decoded.encoding, isDirectory,
    method: entry.compressionMethod, crc32: entry.crc32,
    compressedSize: entry.compressedSize, uncompressedSize: entry.uncompressedSize,
    localHeaderOffset: entry.relativeOffsetOfLocalHeader, fileDataStart: local.fileDataStart,
  }
}

/** Overlapping entries are how non-recursive zip bombs reuse one compressed stream many times. */
function assertNoOverlap(plans: readonly EntryPlan[]): void {
  const spans = plans.map((p) => ({ name: p.name, start: p.localHeaderOffset, end: p.fileDataStart + p.compressedSize })).sort((a, b) => a.start - b.start)
  for (let i = 1; i < spans.length; i++) {
    const prev = spans[i - 1]
    const cur = spans[i]
    if (prev && cur && cur.start < prev.end) {
      throw sgError('SG_ERR_ZIP_CORRUPT', `entries "${printable(prev.name)}" and "${printable(cur.name)}" share the same bytes`, { names: [prev.name, cur.name] })
    }
  }
}

/** Pass 2: stream every file into `extractDir` (or check it in place), manifest first. */
async function extractAll(zip: ZipFile, plans: readonly EntryPlan[], extractDir: string, limits: Readonly<PackageLimits>, options: OpenPackageOptions, zipPath: string): Promise<OpenedPackage> {
  const budget: ExtractBudget = { totalBytes: 0 }
  const files = plans.filter((p) => !p.isDirectory)
  const manifestPlan = files.find((p) => p.name === MANIFEST_NAME)
  if (!manifestPlan) throw new Error('planEntries guarantees a root manifest')
  const ordered = [manifestPlan, ...files.filter((p) => p !== manifestPlan)]
  const byName = new Map<string, PackageEntry>()
  const inPlace = (p: EntryPlan): boolean => p !== manifestPlan && p.method === METHOD_STORED && options.readInPlace?.(p.name) === true
  // In-place entries are read through a handle of our own, kept until close().
  const handle: FileHandle | undefined = ordered.some(inPlace) ? await open(zipPath, 'r') : undefined
  let manifest: unknown
  let buffer: Buffer | undefined
  try {
    for (const plan of ordered) {
      const path = join(extractDir, sandboxFileName(plan))
      const target = { name: plan.name, declaredSize: plan.uncompressedSize, compressedSize: plan.compressedSize, crc32: plan.crc32 }
      const here = handle !== undefined && inPlace(plan)
      let result: ExtractResult
      try {
        if (here) result = await inspectStoredEntry(handle.fd, plan.fileDataStart, target, limits, budget, (buffer ??= Buffer.allocUnsafe(1 << 20)))
        else result = await extractEntryToFile(await openRawStream(zip, plan), path, target, limits, budget)
      } catch (err) {
        throw classifyZipError(err, plan.name)
      }
      const entry = here ? inPlaceEntry(plan, result, path, handle) : extractedEntry(plan, result, path)
      byName.set(entry.name, entry)
      if (plan === manifestPlan) manifest = parseManifest(await readFile(path), limits)
      if (options.onEntry) await options.onEntry(entry)
    }
  } catch (err) {
    await handle?.close()
    throw err
  }
  const entries = [...byName.values()].sort((a, b) => a.index - b.index)
  const manifestEntry = byName.get(MANIFEST_NAME)
  let closed = false
  return {
    entries,
    directories: plans.filter((p) => p.isDirectory).map((p) => p.name),
    manifest,
    manifestSha256: manifestEntry?.sha256 ?? '',
    extractDir,
    entry: (name) => byName.get(name.normalize('NFC')),
    async close() {
      if (closed) return
      closed = true
      await handle?.close()
      await rm(extractDir, { recursive: true, force: true })
    },
  }
}

const entryFields = (plan: EntryPlan, result: ExtractResult, path: string): Omit<PackageEntry, 'inPlace' | 'read' | 'localPath'> => ({
  index: plan.index, name: plan.name, nameEncoding: plan.nameEncoding,
  size: result.size, compressedSize: plan.compressedSize, sha256: result.sha256, crc32: result.crc32, path,
})

async function readRange(handle: FileHandle, start: number, available: number, offset: number, length: number): Promise<Buffer> {
  const want = Math.max(0, Math.min(length, available - offset))
  if (want === 0 || offset < 0) return Buffer.alloc(0)
  const buf = Buffer.allocUnsafe(want)
  const { bytesRead } = await handle.read(buf, 0, want, start + offset)
  return bytesRead === want ? buf : buf.subarray(0, bytesRead)
}

function extractedEntry(plan: EntryPlan, result: ExtractResult, path: string): PackageEntry {
  return {
    ...entryFields(plan, result, path),
    inPlace: false,
    async read(offset, length) {
      // Opened per read: extracted entries are small (manifest, documents, playlists).
      const h = await open(path, 'r')
      try {
        return await readRange(h, 0, result.size, offset, length)
      } finally {
        await h.close()
      }
    },
    localPath: async () => path,
  }
}

function inPlaceEntry(plan: EntryPlan, result: ExtractResult, path: string, zipHandle: FileHandle): PackageEntry {
  let copied: Promise<string> | undefined
  return {
    ...entryFields(plan, result, path),
    inPlace: true,
    read: (offset, length) => readRange(zipHandle, plan.fileDataStart, result.size, offset, length),
    localPath() {
      copied ??= (async () => {
        // The bytes were checked in place; this copy is for a tool that needs a file (ffprobe).
        const fh = await open(path, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o600)
        try {
          const chunk = Buffer.allocUnsafe(1 << 20)
          for (let done = 0; done < result.size;) {
            const { bytesRead } = await zipHandle.read(chunk, 0, Math.min(chunk.length, result.size - done), plan.fileDataStart + done)
            if (bytesRead === 0) throw new Error(`the archive changed under entry "${printable(plan.name)}"`)
            await fh.write(chunk, 0, bytesRead)
            done += bytesRead
          }
        } finally {
          await fh.close()
        }
        return path
      })()
      return copied
    },
  }
}

/** Index-based, plus the extension when it is plain ASCII, because some probes sniff by suffix. */
function sandboxFileName(plan: EntryPlan): string {
  const ext = /\.([A-Za-z0-9]{1,8})$/.exec(plan.name)?.[1]
  return `${String(plan.index).padStart(6, '0')}${ext ? `.${ext.toLowerCase()}` : ''}`
}

/** Decode, depth-scan, then parse — in that order, so JSON.parse never sees hostile nesting. */
export function parseManifest(bytes: Buffer, limits: Pick<PackageLimits, 'maxManifestBytes' | 'maxManifestDepth'>): unknown {
  if (bytes.length > limits.maxManifestBytes) {
    throw sgError('SG_ERR_MANIFEST_TOO_LARGE', `${MANIFEST_NAME} has ${bytes.length} bytes; the limit is ${limits.maxManifestBytes}`, { size: bytes.length, limit: limits.maxManifestBytes })
  }
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw sgError('SG_ERR_MANIFEST_ENCODING', `${MANIFEST_NAME} contains bytes that are not UTF-8`)
  }
  const depth = jsonNestingDepth(text, limits.maxManifestDepth)
  if (depth > limits.maxManifestDepth) {
    throw sgError('SG_ERR_MANIFEST_TOO_DEEP', `${MANIFEST_NAME} nests deeper than ${limits.maxManifestDepth} levels`, { limit: limits.maxManifestDepth })
  }
  try {
    return JSON.parse(text) as unknown
  } catch (err) {
    throw sgError('SG_ERR_MANIFEST_INVALID_JSON', `${MANIFEST_NAME}: ${(err as Error).message}`)
  }
}
