// Course review (R13, R14): the pending queue (oldest first) with the manifest entry, the copyright
// proof (R15) and the stored preview played in the page with the duration the player measures;
// approve, reject with reasons, and take live courses down with reasons.
import { h, clear, kv, table, field } from '../dom.js'
import { api, blobUrl, optional, orgName } from '../api.js'
import { t, fmtTime, bi } from '../i18n.js'
import { problemBox, actionForm, lines, framed, loading } from '../ui.js'

const enc = encodeURIComponent

function previewPlayer(course, manifest) {
  const box = h('div', { 'data-preview': course.id })
  const file = manifest?.preview?.file ?? ''
  const hls = /\.m3u8$/i.test(file)
  const measured = h('span', { 'data-measured': '' }, '—')
  const load = h('button', { type: 'button', class: 'secondary', 'data-load-preview': course.id, onclick: async () => {
    load.disabled = true
    const video = h('video', { controls: true, preload: 'metadata', 'aria-label': `${t('c.preview')}: ${course.title}` })
    if (hls && video.canPlayType('application/vnd.apple.mpegurl') === '') { box.append(h('p', { class: 'muted' }, t('c.hlsUnsupported'))); return }
    try {
      const { url } = await blobUrl(`/api/v1/console/courses/${enc(course.id)}/preview`)
      video.addEventListener('loadedmetadata', () => { measured.textContent = `${video.duration.toFixed(1)} s`; measured.dataset.measured = String(video.duration) })
      video.src = url
      box.prepend(video)
    } catch (e) { box.append(problemBox(e)) }
  } }, `▶ ${t('c.preview')}`)
  box.append(h('div', { class: 'row' }, load, h('span', {}, `${t('c.measured')}: `), measured))
  return box
}

function proofViewer(course) {
  const viewer = h('div', { class: 'viewer', hidden: true })
  const b = h('button', { type: 'button', class: 'secondary', 'data-view-proof': course.id, onclick: async () => {
    viewer.hidden = false
    try {
      const { url, type } = await blobUrl(`/api/v1/console/courses/${enc(course.id)}/proof`)
      viewer.replaceChildren(type === 'application/pdf' ? framed({ src: url, title: t('c.proof') }) : type.startsWith('image/') ? h('img', { src: url, alt: t('c.proof') }) : h('a', { href: url, download: 'proof' }, t('download')))
    } catch (e) { viewer.replaceChildren(problemBox(e)) }
  } }, `${t('view')} · ${t('c.proof')}`)
  return h('div', {}, b, viewer)
}

async function reviewPanel(course, rerender) {
  const { manifest } = await api(`/api/v1/console/courses/${enc(course.id)}`)
  const [fr] = field(t('reasons'), h('textarea', { name: 'reasons', required: true }))
  return h('div', { class: 'card review', 'data-review': course.id },
    h('h2', { tabindex: '-1', id: 'c-review' }, h('span', { class: 'muted' }, `${t('c.underReview')}: `), course.title, ` · v${course.version}`),
    kv([
      [t('c.courseId'), h('span', { class: 'mono' }, course.courseId)],
      [t('c.provider'), h('a', { href: `#/providers/${enc(course.providerId)}` }, orgName(course.providerId))],
      [t('c.category'), course.category],
      [t('c.fee'), course.free ? t('c.free') : t('c.paid')],
      [t('c.preview'), course.previewSeconds === null ? '—' : `${course.previewSeconds} s`],
      [t('c.proof'), manifest?.copyright ? `${manifest.copyright.holder ?? ''} ${manifest.copyright.licence ?? manifest.copyright.type ?? ''}`.trim() : ''],
      [t('c.manifest'), h('details', {}, h('summary', {}, 'manifest.json'), h('pre', { class: 'mono' }, JSON.stringify(manifest, null, 2)))],
      [t('c.packageId'), course.packageId ? h('span', { class: 'mono' }, course.packageId) : ''],
    ]),
    previewPlayer(course, manifest),
    proofViewer(course),
    actionForm({ name: 'approve-course', children: [], submit: t('c.approve'), run: () => api(`/api/v1/course-review/${enc(course.id)}/approve`, { method: 'POST' }), onDone: rerender }),
    actionForm({ name: 'reject-course', children: [fr], submit: t('c.reject'), danger: true, run: (fd) => api(`/api/v1/course-review/${enc(course.id)}/reject`, { method: 'POST', body: { reasons: lines(fd.get('reasons')) } }), onDone: rerender }))
}

export async function renderCourses(el) {
  const r = await optional('/api/v1/course-review?limit=500')
  const rerender = () => renderCourses(el)
  clear(el).append(h('h1', {}, t('c.title')))
  if (!r) { el.append(h('p', {}, t('q.unavailable'))); return }
  const pending = [...r.items].sort((a, b) => a.createdAt - b.createdAt)
  // The course under review opens above the queue (not below a long list) and takes the focus.
  const panel = h('div', { 'aria-live': 'polite', 'data-review-panel': '' })
  el.append(panel, h('section', { class: 'card', 'aria-labelledby': 'c-pending' }, h('h2', { id: 'c-pending' }, t('c.pending')),
    pending.length ? table([t('c.course'), t('c.provider'), t('c.fee'), t('c.preview'), t('since'), t('c.review')], pending.map((c) => h('tr', { 'data-course': c.id },
      h('td', {}, c.title), h('td', {}, orgName(c.providerId)), h('td', {}, c.free ? t('c.free') : t('c.paid')), h('td', {}, c.previewSeconds === null ? '—' : `${c.previewSeconds} s`), h('td', {}, fmtTime(c.createdAt)),
      h('td', {}, h('button', { type: 'button', 'data-open-course': c.id, onclick: async () => {
        panel.replaceChildren(loading())
        panel.scrollIntoView({ block: 'start' })
        try {
          panel.replaceChildren(await reviewPanel(c, rerender))
          // The whole card in view (its top, not only its heading), the heading focused.
          panel.scrollIntoView({ block: 'start' })
          panel.querySelector('#c-review')?.focus({ preventScroll: true })
        } catch (e) { panel.replaceChildren(problemBox(e)) }
      } }, t('open')))))) : h('p', {}, t('none'))))

  const live = await optional('/api/v1/courses?limit=100')
  const packaged = (live?.items ?? []).filter((c) => c.source === 'package')
  el.append(h('section', { class: 'card', 'aria-labelledby': 'c-live' }, h('h2', { id: 'c-live' }, t('c.live')),
    packaged.length ? table([t('c.course'), t('c.provider'), t('c.fee'), t('a.actions')], packaged.map((c) => {
      const [fr] = field(t('reasons'), h('textarea', { name: 'reasons', required: true }))
      return h('tr', { 'data-live': c.id }, h('td', {}, bi(c.title)), h('td', {}, orgName(c.providerId)), h('td', {}, c.free ? t('c.free') : t('c.paid')),
        h('td', {}, h('details', {}, h('summary', {}, t('c.takedown')), actionForm({ name: 'takedown', children: [fr], submit: t('c.takedown'), danger: true,
          run: (fd) => api(`/api/v1/courses/${enc(c.id)}/takedown`, { method: 'POST', body: { reasons: lines(fd.get('reasons')) } }), onDone: rerender }))))
    })) : h('p', {}, t('none'))))
}
