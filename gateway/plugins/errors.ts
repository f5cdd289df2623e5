// Every error leaves the gateway as RFC 9457 problem+json with a code from specs/errors.
// Fastify's own errors (validation, body limits, unsupported media types) are mapped to our codes
// so clients only ever see documented codes.
import type { FastifyError, FastifyInstance } from 'fastify'
import { isSkillgateError, sgError, toProblem, type SkillgateError } from '../../specs/lib/errors.js'

function fromFastify(err: FastifyError): SkillgateError {
  if (err.validation) {
    const problems = err.validation.map((v) => ({ path: `${err.validationContext ?? ''}${v.instancePath}` || '/', expected: v.message ?? v.keyword }))
    return sgError('SG_ERR_VALIDATION', problems.map((p) => `${p.path} ${p.expected}`).join('; '), { errors: problems })
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return sgError('SG_ERR_BODY_TOO_LARGE')
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return sgError('SG_ERR_UNSUPPORTED_MEDIA_TYPE')
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY': return sgError('SG_ERR_VALIDATION', 'the body is not valid JSON')
    default: break
  }
  if (err.statusCode === 429) return sgError('SG_ERR_RATE_LIMITED')
  return sgError('SG_ERR_INTERNAL')
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const e = isSkillgateError(err) ? err : fromFastify(err)
    if (e.statusCode >= 500) request.log.error({ err }, 'request failed')
    else request.log.info({ code: e.code }, 'request refused')
    const headers = (err as { headers?: Record<string, string> }).headers
    if (headers?.['retry-after']) void reply.header('retry-after', headers['retry-after'])
    void reply.status(e.statusCode).type('application/problem+json').send(toProblem(e, request.url))
  })
  app.setNotFoundHandler({}, (request, reply) => {
    void reply.status(404).type('application/problem+json').send(toProblem(sgError('SG_ERR_ROUTE_NOT_FOUND', `${request.method} ${request.url}`), request.url))
  })
}
