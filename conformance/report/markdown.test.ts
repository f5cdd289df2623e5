import t from 'tap'
import { sealReport } from './json.js'
import { mdInline, renderMarkdown } from './markdown.js'
import { sampleReport } from './sample-report.test-support.js'

t.test('Markdown summary: verdict, counts, failed checks with requirement IDs and the fix', async (t) => {
  const md = renderMarkdown(sealReport(await sampleReport()))
  t.match(md, /\*\*❌ 不符合规范 \/ Not conformant\*\*/)
  t.match(md, /\| 1 \| 1 \| 1 \| 1 \| 1 \|/)
  t.match(md, /\| R5\.1-3 \| `preview\.media-duration` .* \| must \| fail \| 课程 c-7 试看实测 431\.2 秒/)
  t.match(md, /\| R5\.1-5 \| `contract\.service-contact` .* \| should \| error `SG_ERR_CHECK_CRASHED` \| .*升级 skillgate/, 'an error code brings its fix text')
  t.match(md, /```sh\n {2}curl -sS -i/)
  t.match(md, /SHA-256: `[a-f0-9]{64}`/)
  t.notOk(md.includes('<script>'), 'provider HTML is escaped')
  t.match(md, /\\<script\\>/)
  const ok = renderMarkdown(await sampleReport({ verdict: 'conformant' }))
  t.match(ok, /✅ 符合规范/, 'the passing twin')
  t.notMatch(ok, /preview\.media-duration/, 'nothing listed to fix when the must-checks pass')
  t.equal(mdInline('a|b\nc'), 'a\\|b c')
})
