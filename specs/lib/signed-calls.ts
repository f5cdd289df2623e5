// Which gateway calls a provider must sign (specs/signing/gateway-calls.json, R7). The one source
// of truth: the gateway's auth plugin enforces exactly this list, the README points at it, and
// gateway/signed-calls.test.ts proves both agree with the routes the gateway serves.
import { readFileSync } from 'node:fs'
import { specPath } from './paths.js'

export interface SignedCall { method: string; path: string; requirementIds: string[]; summary: { 'zh-CN': string; en: string } }

export const SIGNED_CALLS_FILE = specPath('signing', 'gateway-calls.json')

export function loadSignedCalls(file = SIGNED_CALLS_FILE): SignedCall[] {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { calls?: SignedCall[] }
  if (!Array.isArray(doc.calls) || doc.calls.length === 0) throw new Error(`${file}: no "calls" list`)
  return doc.calls.map((c) => ({ ...c, method: c.method.toUpperCase() }))
}

export const signedCallKey = (method: string, path: string): string => `${method.toUpperCase()} ${path}`
