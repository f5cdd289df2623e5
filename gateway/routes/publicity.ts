// The shortlist publicity (R11: 入围公示 5 个工作日): a public HTML page (zh-CN, self-contained, no
// external assets), the same list as JSON, and the public objection form's endpoint.
import type { FastifyInstance } from 'fastify'

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

export function renderPublicityPage(items: Awaited<ReturnType<FastifyInstance['workflow']['publicityList']>>, generatedAt: string): string {
  const rows = items.map((i) => `<tr><td>${escapeHtml(i.organisation)}</td><td>${escapeHtml(i.uscc)}</td><td>${escapeHtml(i.titleZh)}</td><td>${escapeHtml(i.startDate)}</td><td>${escapeHtml(i.endDate)}</td><td>${i.state === 'publicity-paused' ? '因异议暂停' : '公示中'}</td><td><code>${escapeHtml(i.applicationId)}</code></td></tr>`).join('\n')
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>入围名单公示 — 北京市“互联网+职业技能培训”</title>
<style>
body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:2rem auto;max-width:64rem;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.4rem .6rem;text-align:left}th{background:#f3f3f3}
.note{color:#555;font-size:.9rem}code{font-size:.8rem}
</style>
</head>
<body>
<h1>入围名单公示</h1>
<p>根据征集遴选办法第十一条，以下入围单位在平台公示 5 个工作日（按国家法定节假日及调休安排计算）。公示期内对公示单位有异议的，可通过接口 <code>POST /api/v1/publicity/{申请编号}/objections</code> 提交书面异议；异议处理期间公示暂停，处理完毕后顺延。</p>
<table>
<thead><tr><th>单位名称</th><th>统一社会信用代码</th><th>拟准入类别</th><th>公示开始</th><th>公示截止（24:00）</th><th>状态</th><th>申请编号</th></tr></thead>
<tbody>
${rows || '<tr><td colspan="7">当前无公示中的单位。</td></tr>'}
</tbody>
</table>
<p class="note">生成时间：${escapeHtml(generatedAt)}（北京时间）</p>
</body>
</html>
`
}

export default async function publicityRoutes(app: FastifyInstance) {
  const wf = app.workflow
  const tags = ['publicity']

  app.get('/api/v1/publicity', {
    config: { roles: ['public'] },
    schema: { tags, summary: 'Providers under publicity with start and end dates (R11)' },
  }, async () => ({ items: await wf.publicityList() }))

  app.get('/publicity', { config: { roles: ['public'] }, schema: { hide: true } }, async (_request, reply) => {
    const generatedAt = new Date(wf.now()).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false })
    void reply.type('text/html; charset=utf-8').header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
    return renderPublicityPage(await wf.publicityList(), generatedAt)
  })

  app.post('/api/v1/publicity/:id/objections', {
    config: { roles: ['public'] },
    schema: {
      tags,
      summary: 'File an objection: the publicity pauses until a reviewer resolves it (R11)',
      params: { type: 'object', properties: { id: { type: 'string', maxLength: 80 } }, required: ['id'] },
      body: { type: 'object', required: ['text'], additionalProperties: false, properties: { text: { type: 'string', minLength: 1, maxLength: 20000 }, contact: { type: 'string', maxLength: 500 } } },
    },
  }, async (request, reply) => {
    const body = request.body as { text: string; contact?: string }
    const r = await wf.fileObjection((request.params as { id: string }).id, body)
    void reply.status(201)
    return r
  })
}
