// The probe-able part of two evidence requirements, read from service-info: a service team that
// learners and the management platform can reach (R5.1-5 on-demand, R5.3-6 self-hosted) and the
// declared person-times served by a self-hosted platform (R5.3-3). A reviewer still checks the
// documents; these checks only make sure the published facts are there and plausible. They judge
// the contact even when service-info fails its schema for another reason (contract.service-info
// reports that), so a provider sees every problem in one run.
import type { ServiceInfo } from '../../specs/types.gen.js'
import type { ProbeContext } from '../probe-context.js'
import { defineCheck, fail, pass, warn, type CheckDefinition } from './framework.js'
import { exchangeEvidence, reproduce } from './http-expect.js'

/** R5.3-3: one million person-times. */
export const MIN_PEOPLE_SERVED = 1_000_000

const PHONE = /^\+?[0-9][0-9 -]{5,20}$/
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/** What is wrong with a published service contact (empty when it is complete). */
export function contactProblems(contact: unknown): string[] {
  if (contact === undefined || contact === null) return ['serviceContact is absent']
  if (typeof contact !== 'object') return [`serviceContact is ${typeof contact}, expected an object`]
  const c = contact as Partial<ServiceInfo['serviceContact']>
  const out: string[] = []
  const team = c.team as { 'zh-CN'?: unknown } | undefined
  if (!team || typeof team['zh-CN'] !== 'string' || team['zh-CN'].trim() === '') out.push('serviceContact.team["zh-CN"] (the team name) is missing')
  if (typeof c.phone !== 'string' || !PHONE.test(c.phone)) out.push(`serviceContact.phone is ${JSON.stringify(c.phone) ?? 'absent'}, expected a phone number`)
  if (typeof c.email !== 'string' || !EMAIL.test(c.email)) out.push(`serviceContact.email is ${JSON.stringify(c.email) ?? 'absent'}, expected an email address`)
  return out
}

export const serviceContactCheck = defineCheck<ProbeContext>({
  id: 'service.contact',
  requirementIds: ['R5.1-5', 'R5.3-6'],
  // The team itself is evidence a reviewer checks; publishing how to reach it is part of the
  // interface, and a platform nobody can contact cannot serve learners, so it is a must.
  severity: 'must',
  kinds: ['on-demand', 'self-hosted'],
  subject: 'platform',
  title: { 'zh-CN': '公布服务团队联系方式（团队、电话、邮箱）', en: 'Service team contact is published (team, phone, email)' },
  does: { 'zh-CN': '读取 service-info 的 serviceContact，核对团队名称、电话与邮箱齐全且格式正确（第五条（一）5、（三）6）。', en: 'Reads serviceContact from service-info and checks that the team name, phone and email are there and well formed (R5.1-5, R5.3-6).' },
  failureMeans: { 'zh-CN': '未公布可用的服务团队联系方式：学员与管理平台无法联系平台的服务团队。', en: 'No usable service contact is published: learners and the management platform cannot reach the service team.' },
  async run(ctx) {
    const { response, doc } = await ctx.serviceInfo()
    const evidence = [exchangeEvidence(response)]
    if (response.status !== 200 || !doc || typeof doc !== 'object') {
      return fail({ 'zh-CN': `无法读取 service-info（状态 ${response.status}），无法核对服务团队联系方式`, en: `service-info is not readable (status ${response.status}), so there is no service contact` }, { evidence, errorCode: 'SG_ERR_SERVICE_CONTACT_MISSING', reproduce: reproduce(response) })
    }
    const problems = contactProblems(doc.serviceContact)
    const measured = { serviceContact: doc.serviceContact ?? null }
    if (problems.length > 0) {
      return fail({ 'zh-CN': `服务团队联系方式不完整：${problems.join('；')}`, en: `The service contact is incomplete: ${problems.join('; ')}` }, { evidence, measured, errorCode: 'SG_ERR_SERVICE_CONTACT_MISSING', reproduce: reproduce(response) })
    }
    return pass({ 'zh-CN': `已公布服务联系方式：${doc.serviceContact.team['zh-CN']}，${doc.serviceContact.phone}，${doc.serviceContact.email}`, en: `service contact published: ${doc.serviceContact.team['zh-CN']}, ${doc.serviceContact.phone}, ${doc.serviceContact.email}` }, { evidence, measured })
  },
})

export const peopleServedCheck = defineCheck<ProbeContext>({
  id: 'selfhosted.people-served',
  requirementIds: ['R5.3-3'],
  // A declared figure proves nothing by itself; the reviewer weighs the evidence behind it.
  severity: 'should',
  kinds: ['self-hosted'],
  subject: 'platform',
  title: { 'zh-CN': '声明的累计服务人次不少于 100 万', en: 'Declared person-times served is at least 1,000,000' },
  does: { 'zh-CN': '读取 service-info 声明的 peopleServed，提示其是否不少于 100 万人次（第五条（三）3）；该数字由审核人员结合材料核实。', en: 'Reads the declared peopleServed from service-info and says whether it is at least 1,000,000 (R5.3-3); reviewers verify the figure against documents.' },
  failureMeans: { 'zh-CN': '未声明或声明不足 100 万人次：仅为提示，不影响检测结论，由审核人员判断。', en: 'The figure is missing or below 1,000,000: a warning for reviewers; it does not change the verdict.' },
  async run(ctx) {
    const { response, doc } = await ctx.serviceInfo()
    const evidence = [exchangeEvidence(response)]
    const declared = doc && typeof doc === 'object' ? (doc as Partial<ServiceInfo>).peopleServed : undefined
    const measured = { peopleServed: declared ?? null, required: MIN_PEOPLE_SERVED }
    if (typeof declared !== 'number' || !Number.isInteger(declared)) {
      return warn({ 'zh-CN': `service-info 未声明累计服务人次 peopleServed（状态 ${response.status}）`, en: `service-info declares no peopleServed figure (status ${response.status})` }, { evidence, measured, errorCode: 'SG_ERR_PEOPLE_SERVED_LOW' })
    }
    if (declared < MIN_PEOPLE_SERVED) {
      return warn({ 'zh-CN': `声明的累计服务人次为 ${declared}，少于 ${MIN_PEOPLE_SERVED}`, en: `Declared person-times served is ${declared}, below ${MIN_PEOPLE_SERVED}` }, { evidence, measured, errorCode: 'SG_ERR_PEOPLE_SERVED_LOW' })
    }
    return pass({ 'zh-CN': `声明已服务 ${declared} 人次（由评审核实证据）`, en: `declares ${declared} person-times served (reviewer verifies the evidence)` }, { evidence, measured })
  },
})

export const serviceChecks: CheckDefinition<ProbeContext>[] = [serviceContactCheck, peopleServedCheck]
