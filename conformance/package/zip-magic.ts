// Archive signatures checked on the first bytes of every entry, whatever its name says: a
// `lesson1.mp4` that is really a zip would smuggle an unchecked tree past every rule (R13).
export const ARCHIVE_MAGIC_MAX_BYTES = 10

const SIGNATURES: readonly { kind: string; bytes: readonly number[] }[] = [
  { kind: 'zip', bytes: [0x50, 0x4b, 0x03, 0x04] },
  { kind: 'zip (empty)', bytes: [0x50, 0x4b, 0x05, 0x06] },
  { kind: 'zip (spanned)', bytes: [0x50, 0x4b, 0x07, 0x08] },
  { kind: 'rar', bytes: [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07] },
  { kind: '7z', bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] },
  { kind: 'gzip', bytes: [0x1f, 0x8b] },
  { kind: 'xz', bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { kind: 'zstd', bytes: [0x28, 0xb5, 0x2f, 0xfd] },
  // "BZh" + level digit + the block magic, so a text file starting "BZh" is not mistaken for one.
  { kind: 'bzip2', bytes: [0x42, 0x5a, 0x68, -1, 0x31, 0x41, 0x59, 0x26, 0x53, 0x59] },
]

/** The archive kind whose signature `head` starts with, or undefined. `head` is the entry's first bytes (fewer if the entry is shorter). */
export function detectArchiveMagic(head: Uint8Array): string | undefined {
  for (const sig of SIGNATURES) {
    if (head.length < sig.bytes.length) continue
    if (sig.bytes.every((b, i) => b === -1 || head[i] === b)) return sig.kind
  }
  return undefined
}
