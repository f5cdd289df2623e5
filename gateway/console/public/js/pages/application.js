/* global URLSearchParams, location, document */
// Applications: the list, and one application with its organisation data, documents viewed in
// place, the latest conformance report, scores, publicity, audit trail, and ONLY the actions the
// state machine allows now (GET /api/v1/console/allowed-events). The API re-checks every action.
import { h, clear, kv, table, field } from '../dom.js'
import { api, blobUrl, session, orgName } from '../api.js'
import { t, stateName, eventName, kindName, fmtTime, tr, yesNo, lang, VERDICT_NAMES, OUTCOME_NAMES, EVENT_NAMES, AUDIT_NAMES, ROLE_NAMES } from '../i18n.js'
import { problemBox, stateBadge, actionForm, lines, framed, loading } from '../ui.js'

const STATES = ['draft', 'submitted', 'material-review', 'awaiting-package', 'conformance', 'conformance-failed', 'roadshow', 'publicity', 'publicity-paused', 'commitment', 'active', 'rejected', 'not-recommended', 'withdrawn']
const enc = encodeURIComponent

/** Document type names as the gateway publishes them (GET /api/v1/applications/document-types), both languages. */
let docNames = null
async function documentTypeNames() {
  if (docNames) return docNames
  const byKind = await api('/api/v1/applications/document-types')
  docNames = { 'commitment-letter': ['服务承诺书', 'Service commitment letter'] }
  for (const list of Object.values(byKind)) for (const d of list) docNames[d.type] = [d.zh, d.en]
  return docNames
}

const fmtSize = (n) => (n >= 1048576 ? `${(n / 1048576).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} ${t('bytes')}`)

/** Who an audit actor is, in words: 'reviewer:<tokenId>', 'provider:<providerId>', 'public', 'system:<job>'. */
export function actorName(actor) {
  const [role, id] = String(actor ?? '').split(/:(.*)/s)
  if (role === 'provider') return orgName(id)
  if (role === 'reviewer' || role === 'admin') return `${tr(ROLE_NAMES, role)} ${session.dir.people[id]?.label ?? ''}`.trim()
  if (role === 'public') return t('a.public')
  return t('a.system')
}

/** The audit trail as a timeline: when, who, what (in words) and why (reasons), the raw record one click away. */
function timeline(entries) {
  return h('ol', { class: 'timeline' }, entries.map((e) => {
    const event = e.data?.event ?? (e.action.startsWith('workflow.') ? e.action.slice(9) : null)
    const what = event && EVENT_NAMES[event] ? eventName(event) : tr(AUDIT_NAMES, e.action)
    // The conformance job's own reason repeats its verdict (shown above, in words).
    const why = [...(e.data?.reasons ?? []), e.data?.record, e.data?.note].filter((x) => typeof x === 'string' && x && !/^conformance verdict: /.test(x))
    return h('li', { 'data-audit': e.action },
      h('div', { class: 'when muted' }, fmtTime(e.at)),
      h('div', {}, h('strong', {}, actorName(e.actor)), ' · ', what,
        e.data?.to ? [' → ', stateName(e.data.to)] : null,
        e.data?.verdict ? [' · ', tr(VERDICT_NAMES, e.data.verdict)] : null,
        typeof e.data?.score === 'number' ? [' · ', t('a.score'), ' ', e.data.score] : null),
      why.length ? h('div', {}, h('em', {}, `${t('a.why')}: `), why.join('；')) : null,
      h('details', {}, h('summary', {}, t('a.raw')), h('pre', { class: 'mono raw' }, JSON.stringify(e, null, 2))))
  }))
}

export async function renderApplications(el) {
  const state = new URLSearchParams((location.hash.split('?')[1] ?? '')).get('state') ?? ''
  const { items } = await api(`/api/v1/applications?limit=500${state ? `&state=${enc(state)}` : ''}`)
  const [filter, select] = field(t('a.filter'), h('select', { name: 'state' },
    h('option', { value: '' }, t('a.all')), STATES.map((s) => h('option', { value: s, selected: s === state }, stateName(s)))))
  select.addEventListener('change', () => { location.hash = select.value ? `#/applications?state=${select.value}` : '#/applications' })
  clear(el).append(
    h('h1', {}, t('a.list')),
    h('div', { class: 'card' }, filter),
    h('div', { class: 'card' }, items.length ? table([t('a.name'), t('a.uscc'), t('a.kind'), t('a.state'), t('since')], items.map((a) => h('tr', { 'data-app': a.id },
      h('td', {}, h('a', { href: `#/applications/${enc(a.id)}` }, a.organisation.name)),
      h('td', { class: 'mono' }, a.organisation.uscc), h('td', {}, kindName(a.kind)), h('td', {}, stateBadge(a.state)), h('td', {}, fmtTime(a.updatedAt))))) : h('p', {}, t('none'))))
}

function documentsSection(app, documents, names) {
  const rows = documents.map((d) => {
    const viewer = h('div', { class: 'viewer', hidden: true, 'data-viewer': d.id })
    const button = h('button', { type: 'button', class: 'secondary', 'data-view-doc': d.id, 'aria-expanded': 'false', onclick: async () => {
      if (!viewer.hidden) { viewer.hidden = true; button.setAttribute('aria-expanded', 'false'); return }
      viewer.hidden = false
      button.setAttribute('aria-expanded', 'true')
      try {
        const { url, type } = await blobUrl(`/api/v1/applications/${enc(app.id)}/documents/${enc(d.id)}`)
        if (type === 'application/pdf') viewer.replaceChildren(framed({ src: url, title: d.fileName }))
        else if (type === 'image/png' || type === 'image/jpeg') viewer.replaceChildren(h('img', { src: url, alt: d.fileName }))
        // Anything else was stored as an opaque download (never rendered: no stored XSS).
        else viewer.replaceChildren(h('a', { href: url, download: d.fileName }, `${t('download')} ${d.fileName}`))
      } catch (e) { viewer.replaceChildren(problemBox(e)) }
    } }, t('view'))
    return [h('tr', { 'data-doc': d.id }, h('td', {}, tr(names, d.type)), h('td', {}, d.fileName), h('td', {}, fmtSize(d.size)), h('td', { class: 'mono' }, d.sha256.slice(0, 16), '…'), h('td', {}, fmtTime(d.uploadedAt)), h('td', {}, button)),
      h('tr', {}, h('td', { colspan: 6 }, viewer))]
  })
  return h('section', { class: 'card', 'aria-labelledby': 's-docs' }, h('h2', { id: 's-docs' }, t('a.docs')),
    documents.length ? table([t('a.docType'), t('a.file'), t('a.size'), 'SHA-256', t('a.when'), ''], rows) : h('p', {}, t('none')))
}

function reportSection(app) {
  const body = h('div', {})
  const card = h('section', { class: 'card', 'aria-labelledby': 's-report' }, h('h2', { id: 's-report' }, t('a.report')), body)
  if (!app.conformance.reportSha256) { body.append(h('p', {}, t('a.noReport'))); return card }
  const download = h('button', { type: 'button', class: 'secondary', 'data-report-json': '', onclick: async () => {
    try {
      const { url } = await blobUrl(`/api/v1/applications/${enc(app.id)}/conformance-report`)
      const a = h('a', { href: url, download: `conformance-${app.id}.json` }, 'json')
      document.body.append(a); a.click(); a.remove()
    } catch (e) { body.append(problemBox(e)) }
  } }, t('a.reportJson'))
  const slot = h('div', {}, loading())
  body.append(kv([[t('a.verdict'), tr(VERDICT_NAMES, app.conformance.verdict)], [t('a.hash'), h('span', { class: 'mono' }, app.conformance.reportSha256)]]), h('p', {}, download), slot)
  api('/api/v1/console/report-tickets', { method: 'POST', body: { applicationId: app.id } }).then(
    // The report page runs its own small script in an opaque origin: it cannot reach this console.
    // It is rendered in the console's language, without its own toggle (embedded=1).
    (ticket) => slot.replaceChildren(framed({ class: 'report', sandbox: 'allow-scripts', src: `${ticket.url}?lang=${lang === 'en' ? 'en' : 'zh-CN'}&embedded=1`, title: t('a.report'), 'data-report-frame': '' })),
    (e) => slot.replaceChildren(problemBox(e)))
  return card
}

function actionsSection(d, allowed, rerender) {
  const app = d.application
  const card = h('section', { class: 'card', 'aria-labelledby': 's-actions', 'data-allowed': allowed.events.map((e) => e.event).join(' ') }, h('h2', { id: 's-actions' }, t('a.actions')))
  const has = (event) => allowed.events.some((e) => e.event === event && e.reviewerMay)
  const id = enc(app.id)
  const post = (path, body) => api(`/api/v1/applications/${id}${path}`, { method: 'POST', body })
  const forms = []

  if (has('material-pass') || has('material-reject')) {
    const [f] = field(t('reasons'), h('textarea', { name: 'reasons', required: true }))
    forms.push(actionForm({
      name: 'material-review', children: [h('p', { class: 'muted' }, t('act.materialHelp')), f], submit: t('act.materialPass'),
      run: (fd, submitter) => post('/material-review', { decision: submitter?.dataset.decision === 'reject' ? 'reject' : 'pass', reasons: lines(fd.get('reasons')) }),
      onDone: rerender,
    }))
    const form = forms.at(-1)
    form.querySelector('button[type=submit]').dataset.decision = 'pass'
    form.querySelector('.row').append(h('button', { type: 'submit', class: 'danger', 'data-action': 'material-reject', 'data-decision': 'reject' }, t('act.materialReject')))
  }
  if (has('conformance-retry')) {
    forms.push(actionForm({ name: 'conformance-retry', children: [], submit: t('act.retry'), run: () => post('/conformance'), onDone: rerender }))
  }
  if (app.state === 'roadshow') {
    const mine = d.scores.some((s) => s.reviewer === session.who.subject)
    if (!mine && !app.roadshowDecision) {
      const [fs] = field(t('act.scoreLabel'), h('input', { name: 'score', type: 'number', min: 0, max: 100, step: 1, required: true }))
      const [fc] = field(t('a.comments'), h('textarea', { name: 'comments', required: true }))
      forms.push(actionForm({ name: 'roadshow-score', children: [fs, fc], submit: t('act.score'),
        run: (fd) => post('/roadshow/scores', { score: Number(fd.get('score')), comments: String(fd.get('comments')) }), onDone: rerender }))
    }
    if (!app.roadshowDecision && (has('start-publicity') || has('not-recommend'))) {
      const [fr] = field(t('act.record'), h('textarea', { name: 'record', required: true }))
      const f = actionForm({ name: 'roadshow-decision', children: [fr], submit: t('act.recommend'),
        run: (fd, submitter) => post('/roadshow/decision', { recommend: submitter?.dataset.recommend !== 'false', record: String(fd.get('record')) }), onDone: rerender })
      f.querySelector('.row').append(h('button', { type: 'submit', class: 'danger', 'data-action': 'not-recommend', 'data-recommend': 'false' }, t('act.notRecommend')))
      forms.push(f)
    }
    if (app.roadshowDecision?.recommend && has('start-publicity')) {
      const [fd0] = field(t('act.startDate'), h('input', { name: 'startDate', type: 'date' }))
      forms.push(actionForm({ name: 'start-publicity', children: [fd0], submit: t('act.startPublicity'),
        run: (fd) => post('/publicity/start', fd.get('startDate') ? { startDate: String(fd.get('startDate')) } : {}), onDone: rerender }))
    }
  }
  // R11: an objection counts once a reviewer has confirmed its objector (no mail or SMS here: by
  // calling back); only then may it be decided. Unconfirmable ones go in bulk from the queues page.
  if (has('object') || has('resume-publicity')) {
    for (const o of d.objections.filter((x) => x.resolvedAt === null && !x.confirmed)) {
      const [fc] = field(t('act.confirmation'), h('textarea', { name: 'confirmation', required: true }))
      forms.push(actionForm({ name: 'confirm-objector', children: [h('blockquote', {}, o.text), fc], submit: t('act.confirmObjector'),
        run: (fd) => api(`/api/v1/applications/${id}/objections/${enc(o.id)}/confirm`, { method: 'POST', body: { confirmation: String(fd.get('confirmation')) } }),
        onDone: rerender }))
    }
  }
  if (has('resume-publicity') || has('uphold-objection')) {
    for (const o of d.objections.filter((x) => x.resolvedAt === null && x.confirmed)) {
      const [fr] = field(t('reasons'), h('textarea', { name: 'reasons', required: true }))
      const f = actionForm({ name: 'resolve-objection', children: [h('blockquote', {}, o.text), fr], submit: t('act.dismiss'),
        run: (fd, submitter) => api(`/api/v1/applications/${id}/objections/${enc(o.id)}/resolve`, { method: 'POST', body: { outcome: submitter?.dataset.outcome === 'upheld' ? 'upheld' : 'dismissed', reasons: lines(fd.get('reasons')) } }),
        onDone: rerender })
      f.querySelector('.row').append(h('button', { type: 'submit', class: 'danger', 'data-action': 'uphold-objection', 'data-outcome': 'upheld' }, t('act.uphold')))
      forms.push(f)
    }
  }
  if (app.state === 'commitment' || app.commitmentLetterSha256) {
    card.append(h('p', { 'data-commitment': app.commitmentLetterSha256 ? 'received' : 'pending' }, h('strong', {}, `${t('act.commitment')}: `),
      app.commitmentLetterSha256 ? [t('act.commitmentDone'), ' ', h('span', { class: 'mono' }, app.commitmentLetterSha256.slice(0, 16), '…')] : t('act.commitmentPending')))
  }

  if (app.state === 'awaiting-package') card.append(h('p', { 'data-hint': 'awaiting-package' }, t('a.awaitingPackage')))
  if (allowed.terminal) card.append(h('p', {}, t('a.terminal')))
  else if (forms.length === 0) card.append(h('p', { class: 'muted' }, t('a.noActions')))
  card.append(...forms)
  const waiting = allowed.events.filter((e) => !e.reviewerMay && e.event !== 'withdraw')
  if (waiting.length) {
    card.append(h('ul', { class: 'muted' }, waiting.map((e) => h('li', { 'data-waiting': e.event },
      e.roles.includes('provider') ? t('a.waitProvider') : e.roles.includes('public') ? t('a.public') : t('a.waitSystem'), ': ', eventName(e.event), ' → ', stateName(e.to)))))
  }
  return card
}

export async function renderApplication(el, appId) {
  const d = await api(`/api/v1/applications/${enc(appId)}`)
  const app = d.application
  const allowed = await api(`/api/v1/console/allowed-events?state=${enc(app.state)}`)
  const names = await documentTypeNames()
  const rerender = () => renderApplication(el, appId)
  const form = app.form ?? {}
  const decision = app.roadshowDecision
  clear(el).append(
    h('p', {}, h('a', { href: '#/applications' }, '← ', t('a.list'))),
    h('h1', {}, app.organisation.name, ' ', stateBadge(app.state)),
    h('div', { class: 'grid' },
      h('section', { class: 'card', 'aria-labelledby': 's-org' }, h('h2', { id: 's-org' }, t('a.org')), kv([
        [t('a.name'), app.organisation.name],
        [t('a.uscc'), h('span', { class: 'mono' }, app.organisation.uscc)],
        [t('a.kind'), kindName(app.kind)],
        [t('a.state'), stateName(app.state)],
        [t('a.contact'), form.contact ? `${form.contact.name} · ${form.contact.phone} · ${form.contact.email}` : ''],
        [t('a.serviceTeam'), form.serviceTeam ? [form.serviceTeam.phone, form.serviceTeam.email, form.serviceTeam.hours].filter(Boolean).join(' · ') : ''],
        [t('a.endpoint'), app.endpointBaseUrl ? h('span', { class: 'mono' }, app.endpointBaseUrl) : ''],
        [t('a.noDishonesty'), yesNo(form.declarations?.noDishonestyRecord)],
        [t('a.personTimes'), form.declarations?.personTimesServed],
        [t('a.title'), app.title],
        [t('a.idLabel'), h('span', { class: 'mono' }, app.id)],
        [t('c.provider'), h('a', { href: `#/providers/${enc(app.providerId)}` }, orgName(app.providerId))],
      ])),
      actionsSection(d, allowed, rerender)),
    documentsSection(app, d.documents, names),
    reportSection(app),
    h('section', { class: 'card', 'aria-labelledby': 's-scores' }, h('h2', { id: 's-scores' }, t('a.scores')),
      d.scores.length ? table([t('a.reviewer'), t('a.score'), t('a.comments'), t('a.when')], d.scores.map((s) => h('tr', {}, h('td', {}, actorName(`reviewer:${s.reviewer}`)), h('td', {}, s.score), h('td', {}, s.comments), h('td', {}, fmtTime(s.scoredAt))))) : h('p', {}, t('none')),
      decision ? h('div', {}, h('h3', {}, t('a.decision')), kv([[t('a.mean'), decision.meanScore], [t('a.decision'), decision.recommend ? `✓ ${t('a.recommend')}` : `✗ ${t('a.notRecommend')}`], [t('act.record'), decision.record]])) : null),
    h('section', { class: 'card', 'aria-labelledby': 's-pub' }, h('h2', { id: 's-pub' }, t('a.publicity')),
      app.publicity ? kv([[t('a.period'), `${app.publicity.startDate} – ${app.publicity.endDate}`], [t('a.pausedOn'), app.publicity.pausedOn]]) : h('p', {}, t('none')),
      h('p', {}, h('a', { href: '/publicity', target: '_blank', rel: 'noopener' }, t('nav.publicity'))),
      d.objections.length ? table([t('a.objections'), t('a.when'), t('a.outcome'), t('a.why')], d.objections.map((o) => h('tr', {}, h('td', {}, o.text), h('td', {}, fmtTime(o.filedAt)), h('td', {}, tr(OUTCOME_NAMES, o.outcome)), h('td', {}, Array.isArray(o.resolution) ? o.resolution.join('；') : (o.resolution ?? '—'))))) : null),
    h('section', { class: 'card', 'aria-labelledby': 's-audit' }, h('h2', { id: 's-audit' }, t('a.audit')),
      h('p', { class: 'muted' }, t('a.timeline')), timeline(d.auditTrail)),
  )
}
