// Provider page: operating status and management history, course counts and free share over time,
// feedback response / resolution / satisfaction rates (R19) as SVG charts, the conformance-run
// history (admission and scheduled, R17), and management actions: interview, suspend, reinstate
// (reviewer, R19) and forced exit with a reason code of 第二十条 (admin; the API refuses others).
import { h, clear, kv, table, field } from '../dom.js'
import { api, optional, session } from '../api.js'
import { t, kindName, fmtTime, bi, lang } from '../i18n.js'
import { stateBadge, problemBox, actionForm } from '../ui.js'
import { lineChart, rateBars } from '../chart.js'

/** Where open drift / assessment cases are listed (first that exists wins). */
export const CASE_ENDPOINTS = ['/api/v1/assessment/cases?status=open']

const enc = encodeURIComponent

export async function renderProviders(el) {
  const { items } = await api('/api/v1/applications?limit=500')
  const byProvider = new Map()
  for (const a of items) if (!byProvider.has(a.providerId)) byProvider.set(a.providerId, a)
  clear(el).append(h('h1', {}, t('p.title')), h('div', { class: 'card' }, table([t('c.provider'), t('a.name'), t('a.kind'), t('a.state')],
    [...byProvider.values()].map((a) => h('tr', {}, h('td', {}, h('a', { href: `#/providers/${enc(a.providerId)}` }, a.providerId)), h('td', {}, a.organisation.name), h('td', {}, kindName(a.kind)), h('td', {}, stateBadge(a.state)))))))
}

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
  const coursesChart = series.length
    ? h('div', { class: 'chart' },
      lineChart({ title: t('p.courses'), series: [{ name: lang === 'en' ? 'live courses' : '上线课程数', color: '#0b5cad', points: series.map((p) => ({ x: p.day.slice(5), y: p.live })) }] }),
      lineChart({ title: `${t('c.free')} %`, yMax: 1, format: (v) => `${Math.round(v * 100)}%`, series: [{ name: lang === 'en' ? 'free share (≥ 50 %)' : '免费占比（≥ 50%）', color: '#1f7a3a', points: series.map((p) => ({ x: p.day.slice(5), y: p.freeShare })) }] }),
      table([t('a.when'), t('c.live'), t('c.free')], series.map((p) => h('tr', {}, h('td', {}, p.day), h('td', {}, p.live), h('td', {}, p.freeShare === null ? '—' : `${Math.round(p.freeShare * 100)}%`)))))
    : h('p', {}, t('p.noData'))

  const feedback = await guarded(async () => {
    const m = await optional(`/api/v1/providers/${pid}/feedback-metrics`)
    if (!m) return h('p', { class: 'muted' }, t('q.unavailable'))
    const x = m.metrics
    return h('div', { class: 'chart', 'data-feedback': '' },
      rateBars({ title: t('p.feedback'), bars: [
        { label: lang === 'en' ? 'Response' : '响应率', value: x.responseRate },
        { label: lang === 'en' ? 'Resolution' : '解决率', value: x.resolutionRate },
        { label: lang === 'en' ? 'Satisfaction (of 5)' : '满意度（满分 5）', value: x.satisfaction === null ? null : x.satisfaction / 5 },
      ] }),
      kv([[lang === 'en' ? 'Tickets' : '工单数', x.tickets], [lang === 'en' ? 'Window' : '统计窗口', `${x.windowDays} ${t('days')}`], ['R19', m.recommendation ? `${m.recommendation.action}` : '—']]))
  })

  const actions = [
    ...['interview', 'suspend', 'reinstate'].map((action) => {
      const [fn] = field(t('reasons'), h('textarea', { name: 'note', required: true }))
      return actionForm({ name: `provider-${action}`, children: [fn], submit: t(`p.${action}`), danger: action === 'suspend',
        run: (fd) => api(`/api/v1/providers/${pid}/actions`, { method: 'POST', body: { action, note: String(fd.get('note')) } }), onDone: rerender })
    }),
  ]
  const reasons = await optional('/api/v1/exit-reasons')
  if (reasons) {
    const [fc] = field(t('p.reasonCode'), h('select', { name: 'reasonCode', required: true }, Object.entries(reasons).map(([code, text]) => h('option', { value: code }, `${code} ${bi(text)}`))))
    const [fn] = field(t('reasons'), h('textarea', { name: 'note', required: true }))
    actions.push(actionForm({ name: 'forced-exit', children: [session.who.role === 'admin' ? null : h('p', { class: 'muted' }, 'admin'), fc, fn], submit: t('p.forcedExit'), danger: true,
      run: (fd) => api(`/api/v1/providers/${pid}/forced-exit`, { method: 'POST', body: { reasonCode: String(fd.get('reasonCode')), note: String(fd.get('note')) } }), onDone: rerender }))
  }

  clear(el).append(
    h('h1', {}, latest ? latest.organisation.name : providerId, ' ', latest ? stateBadge(latest.state) : null),
    card('p-state', t('p.state'), kv([
      ['ID', h('span', { class: 'mono' }, providerId)],
      [t('a.kind'), latest ? kindName(latest.kind) : provider?.kind],
      [t('a.title'), latest?.title],
      [t('p.state'), provider ? h('span', { class: 'badge', 'data-provider-status': provider.status }, provider.status, provider.reasonCode ? ` · ${provider.reasonCode}` : '') : status?.error ? problemBox(status.error) : '—'],
    ]), status?.history?.length ? table([t('a.when'), t('a.action'), '', t('a.actor')], status.history.map((r) => h('tr', {}, h('td', {}, fmtTime(r.at)), h('td', {}, r.action), h('td', {}, r.reasonCode ?? '', ' ', r.note ?? ''), h('td', { class: 'mono' }, r.actor)))) : null),
    card('p-courses', t('p.courses'), coursesChart),
    card('p-feedback', t('p.feedback'), feedback),
    card('p-runs', t('p.runs'), runs.length ? table([t('a.when'), '', t('a.verdict'), t('a.data')], runs.map((r) => h('tr', { 'data-run': r.kind },
      h('td', {}, fmtTime(r.at)), h('td', {}, r.link ? h('a', { href: r.link }, r.kind) : r.kind), h('td', {}, r.verdict), h('td', { class: 'mono' }, r.summary ? JSON.stringify(r.summary) : '', r.drift?.length ? ` drift: ${r.drift.map((d) => d.kind).join(', ')}` : '')))) : h('p', {}, t('p.noData'))),
    card('p-actions', t('p.actions'), ...actions),
  )
}
