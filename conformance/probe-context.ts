// What every platform check receives (contract, auth, catalogue, preview, location, self-hosted).
// One context per run: the signed and the anonymous probe client, the run options, and shared
// results computed once on first use (service-info, the catalogue walks, the course sample, preview
// documents), so checks that need the same data never fetch it twice. Built by `runProbe`.
import type { CourseSummary, Preview, ServiceInfo } from '../specs/types.gen.js'
import type { ReadableError } from '../specs/lib/schemas.js'
import type { Report, RunContext } from './checks/framework.js'
import type { MediaMethod } from './media/measure-index.js'
import type { ProbeClient, ProbeResponse } from './net/probe-client.js'
import type { Resolver, SsrfMode } from './net/ssrf-guard.js'
import type { CatalogueWalk } from './walk/catalogue-walk.js'
import type { SamplingStatement } from './walk/sampling.js'

export type PlatformKind = 'on-demand' | 'self-hosted'

export interface SandboxTenantCredentials { tenantId: string; token: string }
export interface SandboxTenants { A?: SandboxTenantCredentials; B?: SandboxTenantCredentials }

export interface ProbeSettings {
  /** Courses whose preview media and detail are checked (R5.1-3, R5.1-4). */
  sampleSize: number
  /** Check every course's media instead of a sample (the default when no sample size is given). */
  allMedia: boolean
  /** How preview media is measured: 'index' (Range requests, the default) or 'ffprobe' (full download, every packet). */
  mediaMethod: MediaMethod
  /** Index path: previews per run also measured by the ffprobe referee, drawn at random. */
  referee: number
  /** Index path: media requests in flight at once (a CDN serves many small ranges). */
  mediaConcurrency: number
  /** Seed of the deterministic course sample. */
  sampleSeed: string
  /** Requests in flight at once (probe clients) and sampled fetches in parallel. */
  concurrency: number
  /** Wall-clock deadline of one HTTP exchange. */
  deadlineMs: number
  /** Page size of the main catalogue walk (the spec's maximum). */
  pageLimit: number
  /** Page size of the cross-check walk (different, so page boundaries fall elsewhere). */
  crossCheckLimit: number
  /** Entries the cross-check walk reads before it stops. */
  crossCheckEntries: number
  /** The incremental-sync walk asks for about this many of the newest entries (R7, contract.incremental). */
  incrementalEntries: number
  /** Hard page cap of every walk. */
  maxPages: number
}

/** A JSON document fetched once and shared, with its schema verdict. */
export interface FetchedDocument<T> {
  response: ProbeResponse
  /** The parsed body when the status was 2xx and it was JSON (valid or not). */
  doc: T | undefined
  schemaErrors: ReadableError[]
}

export interface CourseSample {
  /** Sampled live courses (deterministic bottom-k by seed), for media, detail and list agreement. */
  courses: CourseSummary[]
  /** Sampled free courses, for "free really opens without payment or login" (R5.1-4). */
  free: CourseSummary[]
  statement: SamplingStatement
  freeStatement: SamplingStatement
}

export interface ProbeContext extends RunContext {
  kind: PlatformKind
  /** Base URL without a trailing slash. */
  baseUrl: string
  ssrfMode: SsrfMode
  settings: ProbeSettings
  /** Signs every request (when a key is configured). */
  client: ProbeClient
  /** Never signs, sends no credentials: preview media and anonymous-access probes. */
  anonymous: ProbeClient
  /**
   * Never signs either: preview media read from its index, with more requests in flight
   * (`settings.mediaConcurrency`): an HLS preview is ~200 small Range requests, so reading it is
   * bound by round trips, not bytes. Absent: `anonymous` is used.
   */
  media?: ProbeClient
  /** Present when --key-id/--secret-env were given (the auth checks craft their own headers). */
  credentials?: { keyId: string; secret: string }
  tenants: SandboxTenants
  /** Sandbox learner (probe config `learner`): sent as Authorization: Bearer on lesson media only (R5.1-4). */
  learner?: { token: string }
  /** Decides socket addresses (tests map fixture names to loopback). */
  resolver?: Resolver
  /** Resolves names for geolocation only (R20-3); nothing connects to its answers. Default: real DNS. */
  geoResolver?: Resolver
  /** Absolute URL under the base URL, with query parameters (undefined values dropped). */
  url(path: string, query?: Record<string, string | number | undefined>): string
  /** Compute once per run and share (a rejected computation is shared too). */
  once<T>(key: string, compute: () => Promise<T>): Promise<T>
  /** GET /v1/service-info (signed). */
  serviceInfo(): Promise<FetchedDocument<ServiceInfo>>
  /** The full walk at `pageLimit`, with the sample and compact id set. */
  walk(): Promise<CatalogueWalk>
  /** The prefix walk at `crossCheckLimit` (gap detection). */
  crossWalk(): Promise<CatalogueWalk>
  sample(): Promise<CourseSample>
  /** GET /v1/courses/{id} (signed), fetched once per run (possibly early, while the walk goes on). */
  detail(courseId: string): Promise<ProbeResponse>
  /** GET /v1/courses/{id}/preview (signed); records the media host as seen. */
  preview(courseId: string): Promise<FetchedDocument<Preview>>
  /**
   * A check that reads the sample's previews is done with this course's: once every selected such
   * check has said so, the document is no longer kept (a later preview() fetches it again).
   */
  donePreview(courseId: string): void
  /** Every host the run has seen the platform serve from: role → host names (R20-3). */
  hostsSeen(): { api: string[]; media: string[] }
  noteHost(url: string, role: 'api' | 'media'): void
  /** A per-run scratch directory (removed when the run ends). */
  scratchDir(): Promise<string>
  mode: Report['mode']
}
