// Find and read an MP4/MOV file's index over a ByteSource: the top-level boxes are walked one
// header at a time (ftyp, then the moov wherever it is; a faststart file gives both in the first
// read), and for a fragmented file every moof after it. The media data in between is never read.
import { sgError } from '../../specs/lib/errors.js'
import type { ByteSource } from './byte-source.js'
import { walkTopLevel, wholeBox } from './mp4-boxes.js'
import { FragmentReader } from './mp4-fragments.js'
import { readMovie, type MovieIndex, type SampleLimits } from './mp4-sample-table.js'

export interface Mp4Index {
  movie: MovieIndex
  /** ftyp major brand ('isom', 'qt  ', …). */
  majorBrand: string | undefined
  /** Where the moov sits, and its size. */
  moov: { start: number; size: number }
  /** moof boxes read (fragmented files). */
  fragments: number
  /** The real file length (undefined when the server never said). */
  fileSize: number | undefined
  /** A top-level box claims to run past the end of the file (a cut-off download or copy). */
  truncatedBox?: { type: string; start: number; size: number }
  notes: string[]
}

export interface Mp4IndexOptions extends SampleLimits {
  /** Largest moov (or moof) read into memory (default 64 MiB). */
  maxIndexBytes: number
}

/** The first bytes of an ISO BMFF file: a plausible first box type. */
export function looksLikeIsoBmff(head: Buffer): boolean {
  if (head.length < 8) return false
  const type = head.toString('latin1', 4, 8)
  return ['ftyp', 'moov', 'mdat', 'free', 'skip', 'wide', 'pnot', 'styp', 'sidx'].includes(type)
}

function guard<T>(file: string, read: () => T): T {
  try {
    return read()
  } catch (err) {
    // A box whose counts run past its own end reads out of the buffer: the index is malformed.
    if (err instanceof RangeError) throw sgError('SG_ERR_MEDIA_INDEX_UNREADABLE', `${file}: a box is shorter than its fields (${err.message})`, { file }, err)
    throw err
  }
}

/** Read the index. Throws SG_ERR_MEDIA_INDEX_UNREADABLE when there is no usable moov. */
export async function readMp4Index(src: ByteSource, opts: Mp4IndexOptions): Promise<Mp4Index> {
  let majorBrand: string | undefined
  let movie: MovieIndex | undefined
  let moov: Mp4Index['moov'] | undefined
  let fragments: FragmentReader | undefined
  let truncatedBox: Mp4Index['truncatedBox']
  const notes: string[] = []
  const walked = await walkTopLevel(src, async (box) => {
    if (box.type === 'ftyp' && box.head.length >= 12) majorBrand = box.head.toString('latin1', 8, 12)
    if (box.type === 'moov' && !movie) {
      const bytes = await wholeBox(src, box, opts.maxIndexBytes)
      movie = guard(src.name, () => readMovie(bytes, src.name, opts))
      moov = { start: box.start, size: box.size }
      if (movie.fragmented) fragments = new FragmentReader(movie, src.name, opts)
      // A plain file is fully described now: what follows is media data.
      else return 'stop'
    }
    if (box.type === 'moof' && fragments) {
      const bytes = await wholeBox(src, box, opts.maxIndexBytes)
      const reader = fragments
      guard(src.name, () => reader.addMoof(bytes, box.start))
    }
    return undefined
  })
  if (walked.truncated) truncatedBox = { type: walked.truncated.type, start: walked.truncated.start, size: walked.truncated.size }
  if (!movie || !moov) {
    const why = walked.broken ? `no moov before an unreadable box header at byte ${walked.broken.at}` : truncatedBox ? `no moov before a ${truncatedBox.type} box cut off at the end of the file` : 'no moov box'
    throw sgError('SG_ERR_MEDIA_INDEX_UNREADABLE', `${src.name}: ${why}`, { file: src.name })
  }
  if (fragments) {
    fragments.finish()
    notes.push(`fragmented MP4: ${fragments.fragments} moof box(es) read`)
  }
  if (moov.start > 0 && src.stats.rangeIgnored) notes.push(`the moov is at the end of the file and the server ignored Range: the ${moov.start} bytes before it were downloaded to reach it`)
  return { movie, majorBrand, moov, fragments: fragments?.fragments ?? 0, fileSize: await src.size(), ...(truncatedBox ? { truncatedBox } : {}), notes }
}
