/* global FormData */
// Shared pieces of the pages: problem boxes, state badges, action buttons that report refusals.
import { h } from './dom.js'
import { ApiError } from './api.js'
import { t, stateName, lang, bi } from './i18n.js'

/** Shows an API refusal as the gateway phrased it: status, code, title, detail and how to fix. */
export function problemBox(err) {
  const p = err instanceof ApiError ? err.problem : { title: String(err?.message ?? err) }
  const title = lang === 'en' ? p.title : p.titleZh ?? p.title
  return h('div', { class: 'alert', role: 'alert', 'data-code': p.code ?? '' },
    h('strong', {}, t('err.title'), err instanceof ApiError ? ` (HTTP ${err.status}${p.code ? ` · ${p.code}` : ''})` : ''),
    h('div', {}, title ?? ''),
    p.detail && p.detail !== title ? h('div', { class: 'mono' }, p.detail) : null,
    p.fix ? h('div', {}, h('em', {}, `${t('err.fix')}: `), bi(p.fix)) : null)
}

const TONE = { active: 'ok', rejected: 'bad', 'not-recommended': 'bad', 'conformance-failed': 'bad', 'publicity-paused': 'warn', 'awaiting-package': 'warn', withdrawn: 'bad' }
export const stateBadge = (state) => h('span', { class: `badge ${TONE[state] ?? ''}`, 'data-state': state }, stateName(state))

export const loading = () => h('p', { class: 'muted', role: 'status', 'data-loading': '' }, t('loading'))

/**
 * A frame that says it is loading until its document has loaded (a report or a PDF can take
 * seconds): the status line is replaced by the frame, never a blank box.
 */
export function framed(attrs) {
  const status = loading()
  const frame = h('iframe', { ...attrs, hidden: true })
  frame.addEventListener('load', () => { status.remove(); frame.hidden = false }, { once: true })
  return h('div', { class: 'framed' }, status, frame)
}

/**
 * A form whose submit calls `run(formData)`; a refusal is shown inside the form (role=alert) and
 * the page re-renders only after success, so a reviewer always sees why an action did not happen.
 */
export function actionForm({ name, children, submit, run, onDone, danger = false }) {
  const status = h('div', { 'aria-live': 'polite' })
  const button = h('button', { type: 'submit', class: danger ? 'danger' : '', 'data-action': name }, submit)
  const form = h('form', { class: 'action', 'data-form': name }, children, h('div', { class: 'row' }, button), status)
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault()
    button.disabled = true
    status.replaceChildren()
    try {
      const result = await run(new FormData(form), ev.submitter)
      status.replaceChildren(h('div', { class: 'notice', role: 'status' }, t('done')))
      await onDone?.(result)
    } catch (e) {
      status.replaceChildren(problemBox(e))
    } finally {
      button.disabled = false
    }
  })
  return form
}

export const lines = (s) => String(s ?? '').split('\n').map((x) => x.trim()).filter(Boolean)
