// R7: the gateway serves the specification under /spec/ as the bilingual site `spec export --html`
// writes: the same bytes, HTML pages under a same-origin CSP, folder indexes, the raw files.
import t from 'tap'
import { buildSite } from '../../specs/lib/site/site.js'
import { testApp } from '../app.test-support.js'

t.test('/spec/ serves the site: index, folder pages, schema pages, Swagger UI and raw files, byte for byte', async (t) => {
  const { app } = await testApp(t)
  const site = new Map((await buildSite()).map((f) => [f.path, f]))
  const index = await app.inject('/spec/')
  t.equal(index.statusCode, 200)
  t.match(index.headers['content-type'], /text\/html/)
  t.match(index.headers['content-security-policy'], /default-src 'self'/)
  t.equal(index.body, site.get('index.html')!.body.toString('utf8'))
  const signing = await app.inject('/spec/signing/')
  t.equal(signing.statusCode, 200, '/spec/signing/ (linked from docs/walkthrough.md) is a page')
  t.match(signing.body, /请求签名/)
  t.equal((await app.inject('/spec/signing')).headers.location, '/spec/signing/', 'a folder without its slash is redirected')
  for (const path of ['schemas/course-detail.schema.html', 'openapi/index.html', 'checks.html', 'requirements.html', 'changelog.html', 'errors/index.html']) {
    const res = await app.inject(`/spec/${path}`)
    t.equal(res.statusCode, 200, path)
    t.equal(res.rawPayload.compare(site.get(path)!.body), 0, `${path} is what spec export --html writes`)
  }
  const bundle = await app.inject('/spec/assets/swagger-ui/swagger-ui-bundle.js')
  t.equal(bundle.statusCode, 200)
  t.match(bundle.headers['content-type'], /javascript/)
  const schema = await app.inject('/spec/schemas/probe-config.schema.json')
  t.match(schema.headers['content-type'], /schema\+json/)
  t.equal(schema.json().$id, 'https://skillgate.example.cn/spec/v1/schemas/probe-config.schema.json')
  t.equal((await app.inject('/spec/checks/checks.json')).json().checks.length > 30, true, 'the check catalogue is published')
  t.equal((await app.inject('/spec/nowhere.html')).json().code, 'SG_ERR_NOT_FOUND')
})
