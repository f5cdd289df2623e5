/* global localStorage, document */
// Chinese first, English on request. Keys are stable; the language choice survives reloads.
const DICT = {
  brand: ['评审控制台', 'Reviewer console'],
  'nav.queues': ['待办队列', 'Queues'],
  'nav.applications': ['申请', 'Applications'],
  'nav.courses': ['课程审核', 'Course review'],
  'nav.providers': ['服务方', 'Providers'],
  'nav.publicity': ['公示页（公开）', 'Publicity (public)'],
  logout: ['退出', 'Sign out'],
  'login.title': ['登录评审控制台', 'Sign in to the reviewer console'],
  'login.help': ['粘贴评审专家或管理员令牌。令牌只保存在本标签页（sessionStorage），关闭即清除。', 'Paste a reviewer or admin token. It is kept only in this tab (sessionStorage) and cleared when the tab closes.'],
  'login.token': ['访问令牌', 'Access token'],
  'login.submit': ['登录', 'Sign in'],
  'login.refused': ['该令牌不能使用评审控制台。', 'This token cannot use the reviewer console.'],
  loading: ['加载中…', 'Loading…'],
  'err.title': ['操作未完成', 'The request failed'],
  'err.fix': ['处理建议', 'How to fix'],
  done: ['已完成', 'Done'],
  none: ['无', 'None'],
  view: ['在此查看', 'View here'],
  download: ['下载', 'Download'],
  open: ['打开', 'Open'],
  days: ['天', 'days'],
  age: ['等待天数', 'Age (days)'],
  since: ['进入当前状态', 'In this state since'],
  // queues
  'q.title': ['待办队列', 'Queues'],
  'q.help': ['按等待时间排序（最久的在前），任何事项都不会无人处理。', 'Oldest first, so nothing waits unseen.'],
  'q.applications': ['按状态统计的申请', 'Applications by state'],
  'q.waiting': ['等待评审处理的申请', 'Applications waiting for a reviewer'],
  'q.courses': ['待审核课程', 'Courses awaiting review'],
  'q.objections': ['公示期异议', 'Objections during publicity'],
  'q.objector': ['异议人', 'Objector'],
  'q.objectorConfirmed': ['已核实，公示暂停', 'Confirmed: publicity paused'],
  'q.objectorUnconfirmed': ['待核实异议人', 'Objector to be confirmed'],
  'q.cases': ['动态考核 / 偏离案件', 'Open drift / assessment cases'],
  'q.unavailable': ['本网关尚未提供此接口。', 'This gateway does not offer this endpoint yet.'],
  'q.runJobs': ['立即执行到期的流程任务（管理员）', 'Run due workflow jobs now (admin)'],
  // application
  'a.list': ['全部申请', 'All applications'],
  'a.filter': ['按状态筛选', 'Filter by state'],
  'a.all': ['全部', 'All'],
  'a.org': ['单位信息', 'Organisation'],
  'a.name': ['单位名称', 'Name'],
  'a.uscc': ['统一社会信用代码', 'Unified social credit code'],
  'a.kind': ['服务方类别', 'Provider kind'],
  'a.state': ['当前状态', 'State'],
  'a.contact': ['联系人', 'Contact'],
  'a.serviceTeam': ['服务团队', 'Service team'],
  'a.endpoint': ['接口地址', 'Endpoint'],
  'a.declarations': ['声明', 'Declarations'],
  'a.noDishonesty': ['无失信记录', 'No dishonesty record'],
  'a.personTimes': ['服务人次', 'Person-times served'],
  'a.title': ['准入称号', 'Admitted as'],
  'a.docs': ['资质文件', 'Qualification documents'],
  'a.docType': ['类型', 'Type'],
  'a.file': ['文件', 'File'],
  'a.size': ['大小', 'Size'],
  'a.report': ['一致性检测报告', 'Conformance report'],
  'a.noReport': ['尚无检测报告。', 'No conformance report yet.'],
  'a.reportJson': ['下载签名 JSON 报告', 'Download the signed JSON report'],
  'a.verdict': ['结论', 'Verdict'],
  'a.scores': ['路演评分', 'Roadshow scores'],
  'a.reviewer': ['评审专家', 'Reviewer'],
  'a.score': ['分数', 'Score'],
  'a.comments': ['评语', 'Comments'],
  'a.mean': ['平均分', 'Mean'],
  'a.decision': ['评审结论', 'Committee decision'],
  'a.publicity': ['公示', 'Publicity'],
  'a.objections': ['异议', 'Objections'],
  'a.audit': ['审计记录', 'Audit trail'],
  'a.when': ['时间', 'When'],
  'a.actor': ['操作者', 'Actor'],
  'a.action': ['动作', 'Action'],
  'a.data': ['内容', 'Data'],
  'a.actions': ['当前可执行的操作', 'Actions allowed now'],
  'a.noActions': ['当前状态下评审专家无可执行操作。', 'No reviewer action is allowed in this state.'],
  'a.waitProvider': ['等待服务方', 'Waiting for the provider'],
  'a.waitSystem': ['等待系统', 'Waiting for the gateway'],
  'a.terminal': ['流程已结束。', 'This application is final.'],
  'a.awaitingPackage': ['材料审核已通过，等待服务方上传第一个课程包：服务方以签名请求 POST /api/v1/packages 上传（可先用 skillgate check-package 预检），课程包检查完成后一致性检测自动开始。', 'Material review passed; waiting for the provider\'s first course package. The provider uploads it with a signed POST /api/v1/packages (pre-check it with skillgate check-package); conformance starts by itself once the package is checked.'],
  reasons: ['理由（每行一条）', 'Reasons (one per line)'],
  'act.materialPass': ['材料审核通过', 'Pass material review'],
  'act.materialReject': ['材料审核不通过', 'Reject in material review'],
  'act.materialHelp': ['材料审核（第九条）：完整性、有效性、真实性。请写明理由。', 'Material review (Art. 9): completeness, validity, authenticity. Give reasons.'],
  'act.retry': ['重新进行一致性检测', 'Run the conformance checks again'],
  'act.score': ['提交我的路演评分', 'Submit my roadshow score'],
  'act.scoreLabel': ['分数（0–100）', 'Score (0–100)'],
  'act.recommend': ['推荐入围并形成联合评审纪要', 'Recommend and record the joint review'],
  'act.notRecommend': ['不推荐', 'Do not recommend'],
  'act.record': ['联合评审纪要', 'Joint-review record'],
  'act.startPublicity': ['开始公示（5 个工作日）', 'Start publicity (5 working days)'],
  'act.startDate': ['公示开始日期（可选）', 'Start date (optional)'],
  'act.dismiss': ['驳回异议，恢复公示', 'Dismiss the objection, resume publicity'],
  'act.uphold': ['异议成立，不予准入', 'Uphold the objection (reject)'],
  'act.confirmation': ['如何核实了异议人（姓名与联系方式）', 'How the objector was confirmed (name and contact)'],
  'act.confirmObjector': ['已核实异议人，暂停公示', 'Objector confirmed: pause publicity'],
  'act.commitment': ['服务承诺书', 'Service commitment letter'],
  'act.commitmentPending': ['等待服务方上传签署的服务承诺书（第十二条）。', 'Waiting for the provider to upload its signed commitment letter (Art. 12).'],
  'act.commitmentDone': ['已收到服务承诺书', 'Commitment letter received'],
  'act.refused': ['网关拒绝了该操作', 'The gateway refused this action'],
  // courses
  'c.title': ['课程审核', 'Course review'],
  'c.pending': ['待审核课程（最早的在前）', 'Pending courses (oldest first)'],
  'c.course': ['课程', 'Course'],
  'c.provider': ['服务方', 'Provider'],
  'c.category': ['培训目录分类', 'Category'],
  'c.free': ['免费', 'Free'],
  'c.paid': ['收费', 'Paid'],
  'c.preview': ['试看时长（实测）', 'Preview (measured)'],
  'c.proof': ['版权证明', 'Copyright proof'],
  'c.manifest': ['课程包清单', 'Package manifest'],
  'c.approve': ['通过并上线', 'Approve and publish'],
  'c.reject': ['退回', 'Reject'],
  'c.takedown': ['下架', 'Take down'],
  'c.live': ['已上线课程', 'Live courses'],
  'c.noPreview': ['本网关尚未提供试看媒体接口。', 'This gateway does not serve preview media yet.'],
  'c.hlsUnsupported': ['此浏览器不能原生播放 HLS 试看。', 'This browser cannot play HLS natively.'],
  'c.measured': ['播放器测得时长', 'Duration measured by the player'],
  // providers
  'p.title': ['服务方', 'Providers'],
  'p.state': ['状态', 'State'],
  'p.courses': ['课程数与免费占比', 'Courses and free share'],
  'p.feedback': ['反馈响应 / 解决 / 满意率', 'Feedback response / resolution / satisfaction'],
  'p.runs': ['一致性检测历史', 'Conformance run history'],
  'p.actions': ['管理措施', 'Management actions'],
  'p.interview': ['约谈', 'Interview'],
  'p.suspend': ['暂停', 'Suspend'],
  'p.reinstate': ['恢复', 'Reinstate'],
  'p.forcedExit': ['强制退出', 'Forced exit'],
  'p.reasonCode': ['退出原因（第二十条）', 'Reason (Art. 20)'],
  'p.noData': ['暂无数据。', 'No data yet.'],
  'p.feedbackTrend': ['反馈随时间变化（累计）', 'Feedback over time (cumulative)'],
  'p.liveCourses': ['上线课程数', 'Live courses'],
  'p.freeShare': ['免费课程占比（≥ 50%）', 'Free share (≥ 50 %)'],
  'p.response': ['响应率', 'Response rate'],
  'p.resolution': ['解决率', 'Resolution rate'],
  'p.satisfaction': ['满意度（满分 5）', 'Satisfaction (of 5)'],
  'p.tickets': ['工单数', 'Tickets'],
  'p.window': ['统计窗口', 'Window'],
  'p.recommendation': ['第十九条建议', 'R19 recommendation'],
  'p.table': ['数据表', 'Data table'],
  'p.operating': ['运营状态', 'Operating status'],
  'p.notAdmitted': ['尚未准入', 'Not admitted yet'],
  'p.adminOnly': ['仅管理员可执行', 'Admin only'],
  'p.runKind': ['检测类型', 'Run'],
  'p.summary': ['检查项统计', 'Checks'],
  'p.drift': ['偏离', 'Drift'],
  'p.note': ['说明', 'Note'],
  'q.next': ['下一步由谁处理', 'Next step by'],
  'q.reviewerTurn': ['评审专家', 'Reviewer'],
  'a.timeline': ['处理经过（谁、做了什么、为什么）', 'What happened (who, what, why)'],
  'a.raw': ['原始记录', 'Raw record'],
  'a.why': ['理由', 'Why'],
  'a.outcome': ['处理结果', 'Outcome'],
  'a.period': ['公示期', 'Period'],
  'a.pausedOn': ['暂停于', 'Paused on'],
  'a.recommend': ['推荐', 'Recommended'],
  'a.notRecommend': ['不推荐', 'Not recommended'],
  'a.hash': ['摘要（SHA-256）', 'Digest (SHA-256)'],
  'a.idLabel': ['申请编号', 'Application number'],
  'a.public': ['公众', 'The public'],
  'a.system': ['网关（自动）', 'The gateway (automatic)'],
  'a.verdictPending': ['尚未检测', 'Not yet checked'],
  'c.packageId': ['课程包', 'Course package'],
  'c.courseId': ['课程编号', 'Course number'],
  'c.fee': ['收费方式', 'Fee'],
  'c.review': ['审核', 'Review'],
  'c.underReview': ['正在审核', 'Under review'],
  yes: ['是', 'Yes'],
  no: ['否', 'No'],
  bytes: ['字节', 'bytes'],
}

export const ROLE_NAMES = { reviewer: ['评审专家', 'Reviewer'], admin: ['管理员', 'Administrator'], provider: ['服务方', 'Provider'], public: ['公众', 'The public'] }
export const VERDICT_NAMES = { conformant: ['符合规范', 'Conformant'], 'not-conformant': ['不符合规范', 'Not conformant'], error: ['无法判定', 'Could not decide'] }
export const PROVIDER_STATUS_NAMES = { active: ['正常运营', 'Operating'], interview: ['约谈中', 'Under interview'], suspended: ['已暂停', 'Suspended'], exited: ['已退出', 'Exited'] }
export const MGMT_ACTION_NAMES = { interview: ['约谈', 'Interview'], suspend: ['暂停', 'Suspend'], suspension: ['暂停', 'Suspension'], reinstate: ['恢复', 'Reinstate'], takedown: ['下架全部课程', 'Take all courses down'], exit: ['自愿退出', 'Voluntary exit'], 'forced-exit': ['强制退出', 'Forced exit'] }
export const RUN_KIND_NAMES = { admission: ['准入检测', 'Admission check'], scheduled: ['定期检测', 'Scheduled check'] }
export const OUTCOME_NAMES = { dismissed: ['异议不成立', 'Dismissed'], upheld: ['异议成立', 'Upheld'], spam: ['无效异议（未能核实）', 'Spam (objector not confirmed)'] }
export const DRIFT_NAMES = { 'free-share': ['免费占比', 'Free share'], preview: ['试看', 'Preview'], 'host-abroad': ['服务器位于境外', 'Host abroad'], contract: ['接口契约', 'API contract'], feedback: ['反馈', 'Feedback'] }
/** Audit actions that are not state-machine events (those read through EVENT_NAMES). */
export const AUDIT_NAMES = {
  'application.created': ['提交申请表，创建申请', 'Filed the application form'],
  'application.document-added': ['上传资质文件', 'Uploaded a document'],
  'publicity.objection-filed': ['提出公示异议', 'Filed an objection'],
  'publicity.objection-dismissed': ['驳回异议', 'Dismissed an objection'],
  'roadshow.scored': ['提交路演评分', 'Scored the roadshow'],
  'roadshow.recommended': ['形成联合评审纪要', 'Recorded the joint review'],
  'package.uploaded': ['上传课程包', 'Uploaded a course package'],
  'package.checked': ['课程包检查完成', 'Course package checked'],
  'package.failed': ['课程包检查失败', 'Course package failed its checks'],
  'course.approved': ['课程审核通过', 'Course approved'],
}

export const STATE_NAMES = {
  draft: ['草稿', 'Draft'],
  submitted: ['已提交', 'Submitted'],
  'material-review': ['材料审核', 'Material review'],
  rejected: ['未通过', 'Rejected'],
  'awaiting-package': ['等待课程包', 'Awaiting course package'],
  conformance: ['一致性检测中', 'Conformance running'],
  'conformance-failed': ['一致性检测未通过', 'Conformance failed'],
  roadshow: ['路演评审', 'Roadshow'],
  'not-recommended': ['未推荐', 'Not recommended'],
  publicity: ['公示中', 'Under publicity'],
  'publicity-paused': ['公示暂停（异议）', 'Publicity paused (objection)'],
  commitment: ['待提交承诺书', 'Awaiting commitment letter'],
  active: ['已准入', 'Active'],
  withdrawn: ['已撤回', 'Withdrawn'],
}

export const EVENT_NAMES = {
  submit: ['提交申请', 'Submit'],
  'queue-for-review': ['进入材料审核', 'Queue for review'],
  'material-pass': ['材料审核通过', 'Material pass'],
  'material-reject': ['材料审核不通过', 'Material reject'],
  'await-package': ['等待课程包', 'Await a course package'],
  'package-checked': ['课程包检查完成', 'Course package checked'],
  'conformance-pass': ['检测通过', 'Conformance pass'],
  'conformance-fail': ['检测未通过', 'Conformance fail'],
  'conformance-retry': ['重新检测', 'Re-run conformance'],
  'not-recommend': ['不推荐', 'Not recommend'],
  'start-publicity': ['开始公示', 'Start publicity'],
  object: ['提出异议', 'Object'],
  'resume-publicity': ['恢复公示', 'Resume publicity'],
  'uphold-objection': ['异议成立', 'Uphold objection'],
  'close-publicity': ['公示期满', 'Close publicity'],
  'submit-commitment': ['提交服务承诺书', 'Submit commitment letter'],
  withdraw: ['撤回申请', 'Withdraw'],
}

export const KIND_NAMES = {
  'on-demand': ['点播培训平台方', 'On-demand platform'],
  resource: ['数字课程资源方', 'Course-resource provider'],
  'self-hosted': ['自有课培训平台方', 'Self-hosted platform'],
}

const STORE = 'sg.console.lang'
export let lang = localStorage.getItem(STORE) === 'en' ? 'en' : 'zh-CN'

export function setLang(l) {
  lang = l === 'en' ? 'en' : 'zh-CN'
  localStorage.setItem(STORE, lang)
  document.documentElement.lang = lang
}

const pick = (pair, fallback) => (pair ? pair[lang === 'en' ? 1 : 0] : fallback)
export const t = (key) => pick(DICT[key], key)
export const stateName = (s) => pick(STATE_NAMES[s], s)
export const eventName = (e) => pick(EVENT_NAMES[e], e)
export const kindName = (k) => pick(KIND_NAMES[k], k)
/** Any value through one of the tables above; a value missing from the table shows as '—' rather than raw. */
export const tr = (table, v) => (v === null || v === undefined || v === '' ? '—' : pick(table[v], '—'))
export const yesNo = (b) => (b === true ? t('yes') : b === false ? t('no') : '—')
/** Bilingual objects from the API ({ 'zh-CN', en }). */
export const bi = (o) => (o && typeof o === 'object' ? (lang === 'en' ? o.en ?? o['zh-CN'] : o['zh-CN'] ?? o.en) : o)

export function fmtTime(ms) {
  if (ms === null || ms === undefined) return '—'
  return new Date(ms).toLocaleString(lang === 'en' ? 'en-GB' : 'zh-CN', { timeZone: 'Asia/Shanghai', hour12: false })
}

/** Whole days between two instants (ages in the queues). */
export const ageDays = (from, now) => Math.max(0, Math.floor((now - from) / 86_400_000))
