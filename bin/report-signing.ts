// `--sign-key PEM_FILE [--sign-key-id ID]`, shared by the commands that write reports: the report
// gets an Ed25519 signature over its canonical bytes, which `skillgate report verify
// --public-key` checks. Without the flag a report carries its SHA-256 digest only.
import { readFileSync } from 'node:fs'
import { basename, resolve } from 'node:path'
import { UsageError } from './io.js'

export const SIGNING_OPTIONS = {
  'sign-key': { type: 'string' },
  'sign-key-id': { type: 'string' },
} as const

export const SIGNING_USAGE = `  --sign-key PEM_FILE    sign the report with this Ed25519 private key (skillgate report keygen makes one)
  --sign-key-id ID       the key id written into the signature (default: the key file's name)`

export function signingFromFlags(values: { 'sign-key'?: string | undefined; 'sign-key-id'?: string | undefined }, cwd: string): { privateKeyPem: string; keyId: string } | undefined {
  const file = values['sign-key']
  if (file === undefined) {
    if (values['sign-key-id'] !== undefined) throw new UsageError('--sign-key-id needs --sign-key')
    return undefined
  }
  let privateKeyPem: string
  try {
    privateKeyPem = readFileSync(resolve(cwd, file), 'utf8')
  } catch (err) {
    throw new UsageError(`cannot read the signing key ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
  }
  return { privateKeyPem, keyId: values['sign-key-id'] ?? basename(file).replace(/\.pem$/, '') }
}
