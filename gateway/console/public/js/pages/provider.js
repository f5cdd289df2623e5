// Provider page: operating status and management history, course counts and free share over time,
// feedback response / resolution / satisfaction rates (R19) as SVG charts, the conformance-run
// history (admission and scheduled, R17), and management actions: interview, suspend, reinstate
// (reviewer, R19) and forced exit with a reason code of 第二十条 (admin; the API refuses others).
import { h, clear, kv, table, field } from '../dom.js'
import { api, optional, may } from '../api.js'
import { t, kindName, stateName, fmtTime, bi, tr, VERDICT_NAMES, PROVIDER_STATUS_NAMES, MGMT_ACTION_NAMES, RUN_KIND_NAMES, DRIFT_NAMES } from '../i18n.js'
import { actorName } from './application.js'
import { stateBadge, problemBox, actionForm } from '../ui.js'
import { lineChart, rateBars } from '../chart.js'

/** Where open drift / assessment cases are listed (first that exists wins). */
export const CASE_ENDPOINTS = ['/api/v1/assessment/cases?status=open']

const enc = encodeURIComponent

export async function renderProviders(el) {
  const { items } = await api('/api/v1/applications?limit=500')
  const byProvider = new Map()
  for (const a of items) if (!byProvider.has(a.providerId)) byProvider.set(a.providerId, a)
  clear(el).append(h('h1', {}, t('p.title')), h('div', { class: 'card' }, table([t('a.name'), t('a.uscc'), t('a.kind'), t('a.state')],
    [...byProvider.values()].map((a) => h('tr', { 'data-provider': a.providerId }, h('td', {}, h('a', { href: `#/providers/${enc(a.providerId)}` }, a.organisation.name)), h('td', { class: 'mono' }, a.organisation.uscc), h('td', {}, kindName(a.kind)), h('td', {}, stateBadge(a.state)))))))
}

const STATUS_WORDS = { pass: ['通过', 'passed'], fail: ['未通过', 'failed'], warn: ['警告', 'warnings'], skip: ['跳过', 'skipped'], error: ['出错', 'errors'] }
/** A run summary ({ pass, fail, … } counts) in words, not JSON. */
const summaryText = (s) => Object.entries(STATUS_WORDS).filter(([k]) => typeof s[k] === 'number').map(([k]) => `${tr(STATUS_WORDS, k)} ${s[k]}`).join(' · ')

const card = (id, title, ...body) => h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), ...body)

async function guarded(fn) {
  try { return await fn() } catch (e) { return problemBox(e) }
}

export async function renderProvider(el, providerId) {
  const pid = enc(providerId)
  const rerender = () => renderProvider(el, providerId)
  const { items } = await api('/api/v1/applications?limit=500')
  const apps = items.filter((a) => a.providerId === providerId)
  const latest = apps[0]
  const status = await optional(`/api/v1/providers/${pid}/status`).catch((e) => ({ error: e }))
  const history = await optional(`/api/v1/console/providers/${pid}/history`)

  // Admission runs live in the applications' audit trails; scheduled runs in the history endpoint.
  const runs = []
  for (const a of apps) {
    const d = await api(`/api/v1/applications/${enc(a.id)}`)
    for (const e of d.auditTrail) if (/conformance-(pass|fail)$/.test(e.action)) runs.push({ at: e.at, kind: 'admission', verdict: e.data?.verdict ?? e.action.split('.').pop(), link: `#/applications/${enc(a.id)}` })
  }
  for (const r of history?.runs ?? []) runs.push({ at: r.finishedAt, kind: 'scheduled', verdict: r.verdict, summary: r.summary, drift: r.drift })
  runs.sort((a, b) => b.at - a.at)

  const provider = status && !status.error ? status.provider : null
  const series = history?.courses ?? []
  const pct = (v) => (v === null || v === undefined ? '—' : `${Math.round(v * 100)}%`)
  const coursesChart = series.length
    ? h('div', { class: 'chart', 'data-chart': 'courses' },
      lineChart({ title: t('p.liveCourses'), series: [{ name: t('p.liveCourses'), color: '#0b5cad', points: series.map((p) => ({ x: p.day.slice(5), y: p.live })) }] }),
      lineChart({ title: t('p.freeShare'), yMax: 1, format: pct, series: [{ name: t('p.freeShare'), color: '#1f7a3a', points: series.map((p) => ({ x: p.day.slice(5), y: p.freeShare })) }] }),
      h('details', {}, h('summary', {}, t('p.table')), table([t('a.when'), t('p.liveCourses'), t('p.freeShare')], series.map((p) => h('tr', {}, h('td', {}, p.day), h('td', {}, p.live), h('td', {}, pct(p.freeShare)))))))
    : h('p', {}, t('p.noData'))
  const fseries = history?.feedback ?? []
  const feedbackTrend = fseries.length
    ? h('div', { class: 'chart', 'data-chart': 'feedback' },
      lineChart({ title: t('p.feedbackTrend'), yMax: 1, format: pct, series: [
        { name: t('p.response'), color: '#0b5cad', points: fseries.map((p) => ({ x: p.day.slice(5), y: p.responseRate })) },
        { name: t('p.resolution'), color: '#8a5a00', points: fseries.map((p) => ({ x: p.day.slice(5), y: p.resolutionRate })) },
        { name: t('p.satisfaction'), color: '#1f7a3a', points: fseries.map((p) => ({ x: p.day.slice(5), y: p.satisfaction === null ? null : p.satisfaction / 5 })) },
      ] }),
      h('details', {}, h('summary', {}, t('p.table')), table([t('a.when'), t('p.tickets'), t('p.response'), t('p.resolution'), t('p.satisfaction')], fseries.map((p) => h('tr', {},
        h('td', {}, p.day), h('td', {}, p.filed), h('td', {}, pct(p.responseRate)), h('td', {}, pct(p.resolutionRate)), h('td', {}, p.satisfaction ?? '—'))))))
    : null

  const feedback = await guarded(async () => {
    const m = await optional(`/api/v1/providers/${pid}/feedback-metrics`)
    if (!m) return h('p', { class: 'muted' }, t('q.unavailable'))
    const x = m.metrics
    return h('div', { class: 'chart', 'data-feedback': '' },
      rateBars({ title: t('p.feedback'), bars: [
        { label: t('p.response'), value: x.responseRate },
        { label: t('p.resolution'), value: x.resolutionRate },
        { label: t('p.satisfaction'), value: x.satisfaction === null ? null : x.satisfaction / 5 },
      ] }),
      kv([[t('p.tickets'), x.tickets], [t('p.window'), `${x.windowDays} ${t('days')}`], [t('p.recommendation'), m.recommendation ? tr(MGMT_ACTION_NAMES, m.recommendation.action) : t('none')]]))
  })

  // Only what this role may do (GET /api/v1/console/session → may); the API refuses the rest anyway.
  const actions = [
    ...(may('provider-action') ? ['interview', 'suspend', 'reinstate'] : []).map((action) => {
      const [fn] = field(t('reasons'), h('textarea', { name: 'note', required: true }))
      return actionForm({ name: `provider-${action}`, children: [fn], submit: t(`p.${action}`), danger: action === 'suspend',
        run: (fd) => api(`/api/v1/providers/${pid}/actions`, { method: 'POST', body: { action, note: String(fd.get('note')) } }), onDone: rerender })
    }),
  ]
  const reasons = may('forced-exit') ? await optional('/api/v1/exit-reasons') : null
  if (reasons) {
    const [fc] = field(t('p.reasonCode'), h('select', { name: 'reasonCode', required: true }, Object.entries(reasons).map(([code, text]) => h('option', { value: code }, `${code} ${bi(text)}`))))
    const [fn] = field(t('reasons'), h('textarea', { name: 'note', required: true }))
    actions.push(actionForm({ name: 'forced-exit', children: [h('p', { class: 'muted' }, t('p.adminOnly')), fc, fn], submit: t('p.forcedExit'), danger: true,
      run: (fd) => api(`/api/v1/providers/${pid}/forced-exit`, { method: 'POST', body: { reasonCode: String(fd.get('reasonCode')), note: String(fd.get('note')) } }), onDone: rerender }))
  }

  clear(el).append(
    h('h1', {}, latest ? latest.organisation.name : providerId, ' ', latest ? stateBadge(latest.state) : null),
    card('p-state', t('p.state'), kv([
      [t('a.kind'), latest ? kindName(latest.kind) : kindName(provider?.kind)],
      [t('a.title'), latest?.title],
      [t('a.state'), latest ? stateName(latest.state) : '—'],
      [t('p.operating'), provider ? h('span', { class: 'badge', 'data-provider-status': provider.status }, tr(PROVIDER_STATUS_NAMES, provider.status), provider.reasonCode ? ` · ${provider.reasonCode}` : '') : status?.error ? problemBox(status.error) : t('p.notAdmitted')],
    ]), status?.history?.length ? table([t('a.when'), t('a.action'), t('a.why'), t('a.actor')], status.history.map((r) => h('tr', {}, h('td', {}, fmtTime(r.at)), h('td', {}, tr(MGMT_ACTION_NAMES, r.action)), h('td', {}, r.reasonCode ?? '', ' ', r.note ?? ''), h('td', {}, actorName(r.actor))))) : null),
    card('p-courses', t('p.courses'), coursesChart),
    card('p-feedback', t('p.feedback'), feedback, feedbackTrend),
    card('p-runs', t('p.runs'), runs.length ? table([t('a.when'), t('p.runKind'), t('a.verdict'), t('p.summary')], runs.map((r) => h('tr', { 'data-run': r.kind },
      h('td', {}, fmtTime(r.at)), h('td', {}, r.link ? h('a', { href: r.link }, tr(RUN_KIND_NAMES, r.kind)) : tr(RUN_KIND_NAMES, r.kind)), h('td', {}, tr(VERDICT_NAMES, r.verdict)),
      h('td', {}, r.summary ? summaryText(r.summary) : '', r.drift?.length ? [' · ', t('p.drift'), ': ', r.drift.map((d) => tr(DRIFT_NAMES, d.kind)).join('、')] : '')))) : h('p', {}, t('p.noData'))),
    actions.length ? card('p-actions', t('p.actions'), ...actions) : null,
  )
}
