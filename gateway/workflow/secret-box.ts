// Provider signing secrets must be readable by the gateway (HMAC verification needs them), so they
// are encrypted rather than hashed: AES-256-GCM under a 32-byte master key, with the row's key id
// as associated data so a ciphertext copied onto another key's row does not decrypt.
//
// The master key comes from SKILLGATE_MASTER_KEY (64 hex characters or Base64 of 32 bytes). When it
// is absent, `<dataDir>/master.key` is used, created (mode 0600) on first need: fine for the demo
// and one machine; several instances must share SKILLGATE_MASTER_KEY instead.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { sgError } from '../../specs/lib/errors.js'

const VERSION = 'v1'

export function parseMasterKey(text: string): Buffer {
  const trimmed = text.trim()
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64')
  if (key.length !== 32) throw sgError('SG_ERR_WORKFLOW_MASTER_KEY', `decoded to ${key.length} bytes, need 32`)
  return key
}

export class SecretBox {
  readonly #key: Buffer
  constructor(key: Buffer) {
    if (key.length !== 32) throw sgError('SG_ERR_WORKFLOW_MASTER_KEY', `key is ${key.length} bytes, need 32`)
    this.#key = Buffer.from(key)
  }

  /** `v1.<iv>.<tag>.<ciphertext>` (base64url parts). */
  seal(plaintext: string, associatedData: string): string {
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv)
    cipher.setAAD(Buffer.from(associatedData, 'utf8'))
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
    return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.')
  }

  /** The plaintext, or undefined when the box was sealed under another key or for other data. */
  open(sealed: string, associatedData: string): string | undefined {
    const [version, iv, tag, ct] = sealed.split('.')
    if (version !== VERSION || iv === undefined || tag === undefined || ct === undefined) return undefined
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64url'))
      decipher.setAAD(Buffer.from(associatedData, 'utf8'))
      decipher.setAuthTag(Buffer.from(tag, 'base64url'))
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8')
    } catch {
      return undefined
    }
  }
}

/** A SecretBox whose key is resolved on first use (so an app that never stores a secret writes no key file). */
export function lazySecretBox(source: { env: NodeJS.ProcessEnv; dataDir: string }): () => SecretBox {
  let box: SecretBox | undefined
  return () => {
    if (box) return box
    const fromEnv = source.env.SKILLGATE_MASTER_KEY
    if (fromEnv) {
      box = new SecretBox(parseMasterKey(fromEnv))
      return box
    }
    const file = join(source.dataDir, 'master.key')
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch {
      mkdirSync(source.dataDir, { recursive: true })
      text = randomBytes(32).toString('hex')
      // 'wx': two processes racing to create it must not overwrite each other's key.
      try {
        writeFileSync(file, `${text}\n`, { mode: 0o600, flag: 'wx' })
      } catch {
        text = readFileSync(file, 'utf8')
      }
    }
    box = new SecretBox(parseMasterKey(text))
    return box
  }
}
