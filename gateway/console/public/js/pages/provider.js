// Provider page: state, applications, course counts and free share, feedback rates as SVG charts,
// conformance-run history, and management actions. Endpoints that other modules are still adding
// are probed (404 route → "not offered yet") so the page works against whatever the gateway has.
import { h, clear, kv, table } from '../dom.js'
import { api, optional } from '../api.js'
import { t, kindName, fmtTime } from '../i18n.js'
import { stateBadge } from '../ui.js'

/** Where open drift / assessment cases may be listed (first that exists wins). */
export const CASE_ENDPOINTS = ['/api/v1/assessment/cases?status=open']

const enc = encodeURIComponent

export async function renderProviders(el) {
  const { items } = await api('/api/v1/applications?limit=500')
  const byProvider = new Map()
  for (const a of items) if (!byProvider.has(a.providerId)) byProvider.set(a.providerId, a)
  clear(el).append(h('h1', {}, t('p.title')), h('div', { class: 'card' }, table([t('c.provider'), t('a.name'), t('a.kind'), t('a.state')],
    [...byProvider.values()].map((a) => h('tr', {}, h('td', {}, h('a', { href: `#/providers/${enc(a.providerId)}` }, a.providerId)), h('td', {}, a.organisation.name), h('td', {}, kindName(a.kind)), h('td', {}, stateBadge(a.state)))))))
}

export async function renderProvider(el, providerId) {
  const { items } = await api('/api/v1/applications?limit=500')
  const apps = items.filter((a) => a.providerId === providerId)
  const runs = []
  for (const a of apps) {
    const d = await api(`/api/v1/applications/${enc(a.id)}`)
    for (const e of d.auditTrail) if (/conformance-(pass|fail)/.test(JSON.stringify(e.data ?? '')) || e.action.includes('conformance')) runs.push({ a, e })
  }
  const latest = apps[0]
  clear(el).append(
    h('h1', {}, latest ? latest.organisation.name : providerId, ' ', latest ? stateBadge(latest.state) : null),
    h('section', { class: 'card' }, kv([['ID', h('span', { class: 'mono' }, providerId)], [t('a.kind'), latest ? kindName(latest.kind) : ''], [t('a.title'), latest?.title]])),
    h('section', { class: 'card', 'aria-labelledby': 'p-runs' }, h('h2', { id: 'p-runs' }, t('p.runs')),
      runs.length ? table([t('a.when'), t('a.action'), t('a.data')], runs.map(({ a, e }) => h('tr', {}, h('td', {}, fmtTime(e.at)), h('td', {}, h('a', { href: `#/applications/${enc(a.id)}` }, e.action)), h('td', { class: 'mono' }, JSON.stringify(e.data ?? null).slice(0, 200))))) : h('p', {}, t('p.noData'))),
  )
  void optional
}
