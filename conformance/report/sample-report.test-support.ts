// A realistic report for the writers' tests and the CLI tests, produced by the real runner: one
// check per status, evidence from a real (scrubbed) exchange, and hostile text where providers
// control it, so every writer's escaping is exercised by the same data.
import { buildEvidence } from '../net/evidence.js'
import { defineCheck, fail, httpEvidence, note, pass, reproduceFrom, runChecks, warn, type Report, type RunContext } from '../checks/framework.js'

export const HOSTILE = `<script>alert("x")</script> ]]> & "quoted" 'single' \u0001\u0007\u000b 中文 <!-- --> \uD800`

export async function sampleReport(o: { verdict?: 'not-conformant' | 'conformant' } = {}): Promise<Report> {
  const ctx: RunContext = { subject: { type: 'platform', kind: 'on-demand', baseUrl: 'http://127.0.0.1:8080/' }, mode: 'local' }
  const exchange = buildEvidence(
    { method: 'GET', url: 'http://127.0.0.1:8080/v1/courses?limit=100', headers: { accept: 'application/json', 'x-sg-signature': 'k1:deadbeef' } },
    { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({ items: [], note: HOSTILE })) },
    ['deadbeef'],
  )
  const failing = o.verdict !== 'conformant'
  const catalogue = [
    defineCheck<RunContext>({
      id: 'catalogue.count', requirementIds: ['R5.1-2'], severity: 'must', kinds: ['on-demand'], subject: 'platform',
      title: { 'zh-CN': '课程数量不少于 100 门', en: 'At least 100 courses' },
      run: async () => pass({ 'zh-CN': '共 120 门课程', en: '120 courses' }, { measured: { courses: 120 }, evidence: [note('walked 3 pages')] }),
    }),
    defineCheck<RunContext>({
      id: 'preview.media-duration', requirementIds: ['R5.1-3'], severity: 'must', kinds: ['on-demand'], subject: 'platform',
      title: { 'zh-CN': '试看时长不少于 10 分钟（实测）', en: 'Preview plays at least 10 minutes (measured)' },
      dependsOn: ['catalogue.count'],
      run: async (_ctx, rt) => {
        rt.setSampling({ population: 120, size: 30, all: false, confidence: 'random sample of 30: if 10 % of previews were short, P(miss all) < 5 %' })
        return failing
          ? fail({ 'zh-CN': `课程 c-7 试看实测 431.2 秒，低于 600 秒 ${HOSTILE}`, en: `Course c-7 preview plays 431.2 s, below 600 s ${HOSTILE}` },
            { measured: { playableSeconds: 431.2, declaredSeconds: 660 }, evidence: [httpEvidence(exchange), { kind: 'media', summary: `ffprobe ${HOSTILE}`, data: { method: 'last-packet-end' } }], reproduce: reproduceFrom(exchange) })
          : pass({ 'zh-CN': '30 门课程试看均不少于 600 秒', en: 'All 30 sampled previews play at least 600 s' }, { measured: { minPlayableSeconds: 601.5 } })
      },
    }),
    defineCheck<RunContext>({
      id: 'catalogue.free-share', requirementIds: ['R5.1-4'], severity: 'must', kinds: ['on-demand'], subject: 'platform',
      title: { 'zh-CN': '免费课程不少于 50%', en: 'Free courses at least 50 %' },
      run: async () => warn({ 'zh-CN': '免费占比 50.8%，接近下限', en: 'Free share 50.8 %, close to the limit' }, { measured: { freeShare: 0.508 } }),
    }),
    defineCheck<RunContext>({
      id: 'contract.service-contact', requirementIds: ['R5.1-5'], severity: 'should', kinds: ['on-demand'], subject: 'platform',
      title: { 'zh-CN': '服务联系方式可用', en: 'Service contact reachable' },
      run: async () => { throw new Error(`contact probe crashed ${HOSTILE}`) },
    }),
    defineCheck<RunContext>({
      id: 'location.hosts', requirementIds: ['R20-3', 'R5.1-3'], severity: 'should', kinds: ['on-demand'], subject: 'platform',
      title: { 'zh-CN': '服务器位于中国境内', en: 'Servers located in mainland China' },
      dependsOn: ['contract.service-contact'],
      run: async () => pass(),
    }),
  ]
  return runChecks(catalogue, ctx, { now: () => new Date('2026-11-27T01:30:00Z'), environment: { ffprobe: '5.1.6-0+deb12u1', geoDatabase: { name: 'geo-whois-asn-country', buildDate: '2026-06-17' } } })
}
