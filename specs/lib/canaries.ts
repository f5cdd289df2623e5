// Moderation canaries (R5.3-4): typed access to specs/canaries/canaries.json. The file is validated
// against its schema and every checksum is re-derived at load, so a hand-edited marker fails loudly
// instead of silently testing nothing.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { specPath } from './paths.js'
import { schemas } from './schemas.js'

export type ModerationCategory = 'political' | 'pornographic' | 'violent'
export const MODERATION_CATEGORIES: readonly ModerationCategory[] = Object.freeze(['political', 'pornographic', 'violent'])

export interface BilingualText { 'zh-CN': string; en: string }

export type CanaryExpectation =
  | { verdict: 'blocked'; categories: ModerationCategory[]; alert: { category: ModerationCategory; action: 'blocked'; withinSeconds: number } }
  | { verdict: 'clean'; categories: []; alert: null }

export interface Canary {
  id: string
  /** null for a clean control. */
  category: ModerationCategory | null
  language: 'en' | 'zh-CN'
  stem: string
  checksum: string
  marker: string
  description: BilingualText
  expect: CanaryExpectation
}

export interface CanaryDelivery {
  id: string
  name: string
  contentType: string
  contentTemplate: string
  titleTemplate: string
  description: BilingualText
}

export interface CanarySet {
  version: string
  requirement: 'R5.3-4'
  alertWithinSeconds: number
  deliveries: CanaryDelivery[]
  /** Everything in the file, canaries and controls. */
  all: Canary[]
  /** Markers that must be blocked and alerted. */
  canaries: Canary[]
  /** Clean controls that must pass without an alert. */
  controls: Canary[]
}

/** First 12 hex digits, upper-cased, of SHA-256 over the stem's UTF-8 bytes. */
export const canaryChecksum = (stem: string): string => createHash('sha256').update(stem, 'utf8').digest('hex').slice(0, 12).toUpperCase()

export function parseCanaries(doc: unknown): CanarySet {
  const result = schemas().validate('canaries', doc)
  if (!result.ok) throw new Error(`canaries.json does not match its schema: ${JSON.stringify(result.errors)}`)
  const file = doc as { version: string; requirement: 'R5.3-4'; alertWithinSeconds: number; deliveries: CanaryDelivery[]; canaries: Canary[] }
  const ids = new Set<string>()
  for (const c of file.canaries) {
    if (ids.has(c.id)) throw new Error(`canary id ${c.id} is listed twice`)
    ids.add(c.id)
    const sum = canaryChecksum(c.stem)
    if (c.checksum !== sum || c.marker !== `${c.stem}-${sum}`) throw new Error(`canary ${c.id}: checksum or marker does not match its stem (expected ${c.stem}-${sum})`)
    if (c.expect.verdict === 'blocked') {
      if (c.category === null || !c.expect.categories.includes(c.category) || c.expect.alert.category !== c.category) {
        throw new Error(`canary ${c.id}: expected verdict and alert must name its category`)
      }
    } else if (c.category !== null) {
      throw new Error(`canary ${c.id}: only controls (category null) may expect a clean verdict`)
    }
  }
  const canaries = file.canaries.filter((c) => c.category !== null)
  const controls = file.canaries.filter((c) => c.category === null)
  for (const cat of MODERATION_CATEGORIES) {
    if (!canaries.some((c) => c.category === cat)) throw new Error(`no canary for category ${cat}`)
  }
  if (controls.length === 0) throw new Error('canaries.json needs at least one clean control')
  return Object.freeze({
    version: file.version,
    requirement: file.requirement,
    alertWithinSeconds: file.alertWithinSeconds,
    deliveries: file.deliveries,
    all: file.canaries,
    canaries,
    controls,
  })
}

let cached: CanarySet | undefined
/** The published canary set (validated once per process). */
export function loadCanaries(): CanarySet {
  cached ??= parseCanaries(JSON.parse(readFileSync(specPath('canaries', 'canaries.json'), 'utf8')))
  return cached
}

/**
 * Reference detector, as a compliant platform's filter would apply it: exact, case-sensitive
 * substring match of the full marker (stem and checksum) anywhere in the text. Controls are never returned.
 */
export function findCanaries(text: string, set: CanarySet = loadCanaries()): Canary[] {
  return set.canaries.filter((c) => text.includes(c.marker))
}

export interface CanaryUpload {
  name: string
  contentType: string
  content: Buffer
  title: string
}

/** The upload the kit sends for one canary in one delivery form (shape of object-upload.schema.json). */
export function renderCanaryUpload(canary: Canary, delivery: CanaryDelivery): CanaryUpload {
  const fill = (tpl: string): string => tpl.replaceAll('{marker}', canary.marker).replaceAll('{id}', canary.id)
  return { name: fill(delivery.name), contentType: delivery.contentType, content: Buffer.from(fill(delivery.contentTemplate), 'utf8'), title: fill(delivery.titleTemplate) }
}
