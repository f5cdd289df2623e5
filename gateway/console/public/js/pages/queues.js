// Queues: what is waiting, for whom and for how long (oldest first), so nothing waits unseen.
import { h, clear, table } from '../dom.js'
import { api, optional, session, may, orgName } from '../api.js'
import { t, stateName, kindName, ageDays, fmtTime, tr, DRIFT_NAMES } from '../i18n.js'
import { problemBox, stateBadge } from '../ui.js'
import { CASE_ENDPOINTS } from './provider.js'

const STATE_ORDER = ['draft', 'submitted', 'material-review', 'awaiting-package', 'conformance', 'conformance-failed', 'roadshow', 'publicity', 'publicity-paused', 'commitment', 'active', 'rejected', 'not-recommended', 'withdrawn']
/** States in which the next step is a reviewer's (R9–R11). */
export const REVIEWER_STATES = ['material-review', 'conformance-failed', 'roadshow', 'publicity-paused']
const TERMINAL = ['active', 'rejected', 'not-recommended', 'withdrawn']

const ageCell = (from, now) => {
  const d = ageDays(from, now)
  return h('td', { class: d >= 5 ? 'age-old' : '', 'data-age': d }, `${d} ${t('days')}`)
}

async function section(title, id, build) {
  const body = h('div', {}, h('p', { class: 'muted' }, t('loading')))
  const card = h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), body)
  build().then((content) => body.replaceChildren(content), (e) => body.replaceChildren(problemBox(e)))
  return card
}

export async function renderQueues(el) {
  const now = session.who.now
  const { items } = await api('/api/v1/applications?limit=500')
  const byState = Object.fromEntries(STATE_ORDER.map((s) => [s, 0]))
  for (const a of items) byState[a.state] = (byState[a.state] ?? 0) + 1
  const open = items.filter((a) => !TERMINAL.includes(a.state)).sort((a, b) => a.updatedAt - b.updatedAt)

  const tiles = h('div', { class: 'tiles', role: 'list' }, STATE_ORDER.map((s) =>
    h('a', { class: `tile${REVIEWER_STATES.includes(s) && byState[s] > 0 ? ' alert' : ''}`, role: 'listitem', href: `#/applications?state=${s}`, 'data-tile': s },
      h('div', { class: 'n' }, byState[s]), h('div', { class: 'l' }, stateName(s)))))

  const appRows = open.map((a) => h('tr', { 'data-app': a.id },
    h('td', {}, h('a', { href: `#/applications/${encodeURIComponent(a.id)}` }, a.organisation.name)),
    h('td', {}, kindName(a.kind)), h('td', {}, stateBadge(a.state)),
    h('td', { 'data-next': REVIEWER_STATES.includes(a.state) ? 'reviewer' : 'other' }, REVIEWER_STATES.includes(a.state) ? h('strong', {}, h('span', { 'aria-hidden': 'true' }, '★ '), t('q.reviewerTurn')) : a.state === 'commitment' || a.state === 'draft' ? t('a.waitProvider') : t('a.waitSystem')),
    h('td', {}, fmtTime(a.updatedAt)), ageCell(a.updatedAt, now)))

  clear(el).append(
    h('h1', {}, t('q.title')),
    h('p', { class: 'muted' }, t('q.help')),
    h('h2', {}, t('q.applications')),
    tiles,
    h('section', { class: 'card', 'aria-labelledby': 'q-open' }, h('h2', { id: 'q-open' }, t('q.waiting')),
      open.length ? table([t('a.name'), t('a.kind'), t('a.state'), t('q.next'), t('since'), t('age')], appRows) : h('p', {}, t('none'))),
    await section(t('q.objections'), 'q-obj', async () => {
      // R11: every undecided objection, confirmed or not: the objector's name and contact are for
      // the reviewer who calls back to confirm them (GET /api/v1/objections, reviewers only).
      const rows = (await api('/api/v1/objections?status=open')).items
      return rows.length ? table([t('a.name'), t('a.objections'), t('q.objector'), t('a.state'), t('since'), t('age')], rows.map((o) => h('tr', {},
        h('td', {}, h('a', { href: `#/applications/${encodeURIComponent(o.applicationId)}` }, o.organisation)),
        h('td', {}, o.text), h('td', {}, `${o.objectorName} · ${o.contact}`),
        h('td', {}, t(o.confirmed ? 'q.objectorConfirmed' : 'q.objectorUnconfirmed')),
        h('td', {}, fmtTime(o.filedAt)), ageCell(o.filedAt, now)))) : h('p', {}, t('none'))
    }),
    await section(t('q.courses'), 'q-courses', async () => {
      const r = await optional('/api/v1/course-review?limit=500')
      if (!r) return h('p', { class: 'muted' }, t('q.unavailable'))
      const list = [...r.items].sort((a, b) => a.createdAt - b.createdAt)
      return list.length ? table([t('c.course'), t('c.provider'), t('since'), t('age')], list.map((c) => h('tr', {},
        h('td', {}, h('a', { href: '#/courses' }, c.title)), h('td', {}, h('a', { href: `#/providers/${encodeURIComponent(c.providerId)}` }, orgName(c.providerId))),
        h('td', {}, fmtTime(c.createdAt)), ageCell(c.createdAt, now)))) : h('p', {}, t('none'))
    }),
    await section(t('q.cases'), 'q-cases', async () => {
      for (const path of CASE_ENDPOINTS) {
        const r = await optional(path)
        if (!r) continue
        const list = [...(r.items ?? [])].sort((a, b) => (a.openedAt ?? a.createdAt) - (b.openedAt ?? b.createdAt))
        return list.length ? table([t('c.provider'), t('a.action'), t('since'), t('age')], list.map((c) => h('tr', {},
          h('td', {}, h('a', { href: `#/providers/${encodeURIComponent(c.providerId)}` }, orgName(c.providerId))),
          h('td', {}, tr(DRIFT_NAMES, c.kind ?? c.type)), h('td', {}, fmtTime(c.openedAt ?? c.createdAt)), ageCell(c.openedAt ?? c.createdAt, now)))) : h('p', {}, t('none'))
      }
      return h('p', { class: 'muted' }, t('q.unavailable'))
    }),
  )
  // DOM append would print a literal "null": add the admin card only when there is one.
  if (may('run-workflow-jobs')) el.append(h('section', { class: 'card' }, runJobsButton(el)))
}

function runJobsButton(el) {
  const out = h('div', { 'aria-live': 'polite' })
  const b = h('button', { type: 'button', class: 'secondary', onclick: async () => {
    try { await api('/api/v1/admin/jobs/run-workflow', { method: 'POST' }); await renderQueues(el) } catch (e) { out.replaceChildren(problemBox(e)) }
  } }, t('q.runJobs'))
  return h('div', {}, b, out)
}
