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
    return pass(`service contact published: ${doc.serviceContact.team['zh-CN']}, ${doc.serviceContact.phone}, ${doc.serviceContact.email}`, { evidence, measured })
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
    return pass(`declares ${declared} person-times served (reviewer verifies the evidence)`, { evidence, measured })
  },
})

export const serviceChecks: CheckDefinition<ProbeContext>[] = [serviceContactCheck, peopleServedCheck]
