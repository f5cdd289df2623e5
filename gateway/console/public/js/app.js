/* global document, location, window */
// Entry point: sign-in with a pasted token, the language toggle, and a hash router over the pages.
import { h, clear } from './dom.js'
import { api, session, ApiError } from './api.js'
import { t, setLang, lang, tr, ROLE_NAMES } from './i18n.js'
import { problemBox, loading } from './ui.js'
import { renderQueues } from './pages/queues.js'
import { renderApplications, renderApplication } from './pages/application.js'
import { renderCourses } from './pages/courses.js'
import { renderProviders, renderProvider } from './pages/provider.js'

const main = document.getElementById('main')
const nav = document.getElementById('nav')
const whoami = document.getElementById('whoami')
const logout = document.getElementById('logout')
const langButton = document.getElementById('lang')

const ROUTES = [
  [/^#\/queues$/, () => renderQueues],
  [/^#\/applications$/, () => renderApplications],
  [/^#\/applications\/([^/]+)$/, (m) => (el) => renderApplication(el, decodeURIComponent(m[1]))],
  [/^#\/courses$/, () => renderCourses],
  [/^#\/providers$/, () => renderProviders],
  [/^#\/providers\/([^/]+)$/, (m) => (el) => renderProvider(el, decodeURIComponent(m[1]))],
]

function translateStatic() {
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n)
  langButton.textContent = lang === 'en' ? '中文' : 'English'
  langButton.lang = lang === 'en' ? 'zh-CN' : 'en'
  document.title = `${t('brand')} · skillgate`
  nav.setAttribute('aria-label', lang === 'en' ? 'Main' : '主导航')
}

function showWho() {
  if (!session.who) { whoami.textContent = ''; return }
  const label = session.dir.people[session.who.subject]?.label
  whoami.textContent = `${tr(ROLE_NAMES, session.who.role)}${label ? ` · ${label}` : ''}`
}

function loginPage(refusal) {
  nav.hidden = true
  logout.hidden = true
  whoami.textContent = ''
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false' })
  const form = h('form', { class: 'card login', id: 'login' },
    h('h1', {}, t('login.title')),
    h('p', { class: 'muted' }, t('login.help')),
    h('label', { for: 'token' }, t('login.token')), input,
    h('div', { class: 'row' }, h('button', { type: 'submit' }, t('login.submit'))),
    refusal)
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault()
    session.token = input.value.trim()
    await start()
  })
  clear(main).append(form)
  input.focus()
}

async function route() {
  const hash = (location.hash || '#/queues').split('?')[0]
  for (const a of nav.querySelectorAll('a[href^="#"]')) {
    if (hash.startsWith(a.getAttribute('href'))) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current')
  }
  const found = ROUTES.map(([re, f]) => { const m = hash.match(re); return m ? f(m) : null }).find(Boolean)
  const render = found ?? renderQueues
  // Each call renders into a view of its own. Renders overlap when the hash changes while a page is
  // still loading (or a reload's first render is slow): the overtaken one then fills a detached
  // view, never the page the reviewer sees now, and never wipes a form being filled in.
  const view = h('div', { class: 'view' }, loading())
  clear(main).append(view)
  try {
    await render(view)
  } catch (e) {
    clear(view).append(problemBox(e))
  }
  if (view.isConnected) main.focus({ preventScroll: true })
}

async function start() {
  translateStatic()
  if (!session.token) return loginPage()
  try {
    session.who = await api('/api/v1/console/session')
  } catch (e) {
    session.token = null
    // A provider token is refused by the API (403): say so, with the gateway's own words.
    return loginPage(h('div', {}, h('p', { class: 'alert', role: 'alert' }, t('login.refused')), e instanceof ApiError ? problemBox(e) : null))
  }
  session.dir = await api('/api/v1/console/directory').catch(() => ({ providers: {}, people: {} }))
  nav.hidden = false
  logout.hidden = false
  showWho()
  await route()
}

window.addEventListener('hashchange', () => { if (session.who) void route() })
langButton.addEventListener('click', () => {
  setLang(lang === 'en' ? 'zh-CN' : 'en')
  translateStatic()
  showWho()
  if (session.who) void route(); else loginPage()
})
logout.addEventListener('click', () => {
  session.token = null
  session.who = null
  loginPage()
})
setLang(lang)
void start()
