// What an application must contain, per provider kind, as data (R8 fills the form and uploads the
// documents; R9 material review starts with an automated completeness check over this table).
// Each item cites the admission clause it evidences, so a missing item tells the applicant which
// article of the guideline it fails.
export const PROVIDER_KINDS = ['on-demand', 'resource', 'self-hosted'] as const
export type ProviderKind = (typeof PROVIDER_KINDS)[number]

/** R12: the title an admitted provider carries, per kind. */
export const ADMISSION_TITLES: Readonly<Record<ProviderKind, string>> = Object.freeze({
  'on-demand': '北京市职业技能提升行动点播培训平台方',
  resource: '北京市职业技能提升行动数字课程资源方',
  'self-hosted': '北京市职业技能提升行动自有课培训平台方',
})

export interface DocumentType {
  type: string
  zh: string
  en: string
  requirementIds: readonly string[]
  /** Kinds that must upload it; others may not upload it at all. */
  requiredFor: readonly ProviderKind[]
  /** Extra checks on the document's declared attributes, returning what is wrong. */
  checkAttributes?: (attributes: Record<string, unknown>) => string | undefined
}

export const DOCUMENT_TYPES: readonly DocumentType[] = Object.freeze([
  { type: 'business-licence', zh: '营业执照', en: 'Business licence', requirementIds: ['R5-0'], requiredFor: ['on-demand', 'resource', 'self-hosted'] },
  { type: 'credit-report', zh: '信用报告（无失信记录）', en: 'Credit report (no dishonesty record)', requirementIds: ['R5-0'], requiredFor: ['on-demand', 'resource', 'self-hosted'] },
  { type: 'icp-licence', zh: '增值电信业务经营许可证', en: 'ICT (ICP) business licence', requirementIds: ['R5.1-1'], requiredFor: ['on-demand'] },
  { type: 'software-copyright', zh: '平台软件著作权', en: 'Platform software copyright', requirementIds: ['R5.1-1', 'R5.3-1'], requiredFor: ['on-demand', 'self-hosted'] },
  { type: 'copyright-proof', zh: '课程版权证明或授权', en: 'Course copyright proof or licence', requirementIds: ['R15', 'R5.1-2', 'R5.2-1'], requiredFor: ['on-demand', 'resource'] },
  {
    type: 'mlps-certificate', zh: '网络安全等级保护（二级及以上）备案证明', en: 'MLPS (等保) certificate, level 2 or higher', requirementIds: ['R5.3-1'], requiredFor: ['self-hosted'],
    checkAttributes: (a) => (typeof a.level === 'number' && Number.isInteger(a.level) && a.level >= 2 ? undefined : 'attributes.level must be an integer ≥ 2 (等保二级及以上)'),
  },
  { type: 'iso27001', zh: '信息安全管理体系认证（ISO 27001）', en: 'ISO 27001 certificate', requirementIds: ['R5.3-2'], requiredFor: ['self-hosted'] },
  { type: 'iso20000', zh: '信息技术服务管理体系认证（ISO 20000）', en: 'ISO 20000 certificate', requirementIds: ['R5.3-2'], requiredFor: ['self-hosted'] },
])

export const COMMITMENT_LETTER_TYPE = 'commitment-letter'

/** R5.3-3: person-times a self-hosted platform must have served. */
export const MIN_PERSON_TIMES_SERVED = 1_000_000

export interface ApplicationForm {
  contact: { name: string; phone: string; email: string }
  declarations: { noDishonestyRecord: boolean; personTimesServed?: number }
  serviceTeam?: { phone: string; email?: string; hours?: string }
}

export interface CompletenessInput {
  kind: ProviderKind
  form: ApplicationForm
  endpointBaseUrl: string | null
  sandboxTenantCount: number
  documents: readonly { docType: string; attributes: Record<string, unknown> }[]
}

export interface MissingItem {
  item: string
  requirementIds: string[]
  message: string
}

/** R9: the automated completeness check run on submit; an empty list means complete. */
export function checkCompleteness(input: CompletenessInput): MissingItem[] {
  const missing: MissingItem[] = []
  const need = (item: string, requirementIds: string[], message: string) => missing.push({ item, requirementIds, message })
  for (const doc of DOCUMENT_TYPES.filter((d) => d.requiredFor.includes(input.kind))) {
    const uploaded = input.documents.filter((d) => d.docType === doc.type)
    if (uploaded.length === 0) {
      need(`document:${doc.type}`, [...doc.requirementIds], `upload ${doc.en} (${doc.zh})`)
      continue
    }
    const problems = doc.checkAttributes ? uploaded.map((d) => doc.checkAttributes!(d.attributes)) : []
    if (problems.length > 0 && problems.every((p) => p !== undefined)) need(`document:${doc.type}`, [...doc.requirementIds], `${doc.en}: ${problems[0]}`)
  }
  const { form } = input
  if (form.declarations.noDishonestyRecord !== true) need('declarations.noDishonestyRecord', ['R5-0'], 'declare that the organisation has no dishonesty (失信) record')
  if (!form.contact.name.trim()) need('contact.name', input.kind === 'resource' ? ['R5.2-4', 'R8'] : ['R8'], 'name a contact person')
  if (input.kind !== 'resource') {
    if (!input.endpointBaseUrl) need('endpointBaseUrl', ['R7', 'R8'], 'give the base URL of the platform API built against the specification')
    if (!form.serviceTeam?.phone) need('serviceTeam', input.kind === 'on-demand' ? ['R5.1-5'] : ['R5.3-6'], 'give the service team contact (consultation and technical support)')
  }
  if (input.kind === 'self-hosted') {
    if (input.sandboxTenantCount < 2) need('sandboxTenants', ['R5.3-5a'], 'give credentials for two conformance sandbox tenants (A and B)')
    const served = form.declarations.personTimesServed
    if (typeof served !== 'number' || served < MIN_PERSON_TIMES_SERVED) need('declarations.personTimesServed', ['R5.3-3'], `declare at least ${MIN_PERSON_TIMES_SERVED} person-times served`)
  }
  return missing
}

export function documentTypesFor(kind: ProviderKind): DocumentType[] {
  return DOCUMENT_TYPES.filter((d) => d.requiredFor.includes(kind))
}
