// One input-hardening layer for every route (issue 16), so bad input is a documented 4xx
// problem+json and never reaches SQL, a validator or an error describer:
// - path and query: a NUL (%00), bytes that are not UTF-8, or an encoded surrogate (%ED%A0%80 and
//   the like, which no UTF-8 decoder accepts) → 400 SG_ERR_INPUT_UNSTORABLE in preParsing, after
//   rate limiting and authentication (onRequest) and before the body, validators and handlers;
// - JSON bodies: `checkJsonText` runs inside the JSON parser (plugins/raw-json-body.ts) before
//   JSON.parse: nesting deeper than JSON_MAX_DEPTH → 400 SG_ERR_JSON_TOO_DEEP, a \u0000 escape or a
//   lone surrogate escape → 400 SG_ERR_INPUT_UNSTORABLE, bytes that are not UTF-8 → the same;
// - body size: a declared Content-Length above the route's limit → 413 before a byte is read, and
//   `Expect: 100-continue` is answered only after authentication and that check, so an oversize or
//   unauthenticated body gets its final status instead of `100 Continue` and a dropped connection;
// - a refused request whose body was not read closes the connection (the client stops sending);
// - malformed HTTP that Node's parser rejects, and paths the router cannot decode, are answered as
//   problem+json too (clientErrorHandler, frameworkErrors).
// PostgreSQL cannot store U+0000 in text, and lone surrogates cannot be encoded as UTF-8 at all.
import fp from 'fastify-plugin'
import type { Socket } from 'node:net'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { sgError, toProblem } from '../../specs/lib/errors.js'

/** Objects and arrays together; no gateway body needs more than a handful of levels. */
export const JSON_MAX_DEPTH = 32

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The code of a 413 on this route (default SG_ERR_BODY_TOO_LARGE). */
    bodyTooLargeCode?: string
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

const isHigh = (c: number): boolean => c >= 0xd800 && c <= 0xdbff
const isLow = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff

/** Decodes body bytes as strict UTF-8 (400 SG_ERR_INPUT_UNSTORABLE otherwise). */
export function decodeUtf8(bytes: Uint8Array, where: string): string {
  try {
    return utf8.decode(bytes)
  } catch {
    throw sgError('SG_ERR_INPUT_UNSTORABLE', `${where} is not valid UTF-8`)
  }
}

function hex4(text: string, at: number): number {
  const h = text.slice(at, at + 4)
  return /^[0-9a-fA-F]{4}$/.test(h) ? Number.parseInt(h, 16) : -1
}

/**
 * One pass over JSON text before it is parsed: nesting depth (outside strings) and, inside
 * strings, NUL and unpaired surrogates written as escapes or as raw characters. Malformed JSON is
 * left to JSON.parse; this only refuses what would parse but cannot be stored or would recurse.
 */
export function checkJsonText(text: string, maxDepth = JSON_MAX_DEPTH): void {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (!inString) {
      if (c === 0x7b || c === 0x5b) {
        if (++depth > maxDepth) throw sgError('SG_ERR_JSON_TOO_DEEP', `nesting passes ${maxDepth} levels at character ${i}`, { maxDepth })
      } else if (c === 0x7d || c === 0x5d) depth--
      else if (c === 0x22) inString = true
      continue
    }
    if (c === 0x22) inString = false
    else if (c === 0) throw sgError('SG_ERR_INPUT_UNSTORABLE', `the body holds NUL at character ${i}`)
    else if (isHigh(c) || isLow(c)) {
      if (isHigh(c) && isLow(text.charCodeAt(i + 1))) i++
      else throw sgError('SG_ERR_INPUT_UNSTORABLE', `the body holds a lone surrogate at character ${i}`)
    } else if (c === 0x5c) {
      const next = text.charCodeAt(i + 1)
      i++
      if (next !== 0x75) continue // \" \\ \/ \b \f \n \r \t
      const u = hex4(text, i + 1)
      i += 4
      if (u === 0) throw sgError('SG_ERR_INPUT_UNSTORABLE', `the body holds \\u0000 at character ${i - 5}`)
      if (isLow(u)) throw sgError('SG_ERR_INPUT_UNSTORABLE', `the body holds a lone surrogate escape at character ${i - 5}`)
      if (isHigh(u)) {
        const paired = text.charCodeAt(i + 1) === 0x5c && text.charCodeAt(i + 2) === 0x75 && isLow(hex4(text, i + 3))
        if (!paired) throw sgError('SG_ERR_INPUT_UNSTORABLE', `the body holds a lone surrogate escape at character ${i - 5}`)
        i += 6
      }
    }
  }
}

/** The request-target's path and query as bytes (percent-escapes decoded); refuses what cannot be stored. */
export function checkRequestTarget(url: string): void {
  // Fast path: printable ASCII without escapes holds neither NUL nor surrogates.
  let plain = true
  for (let i = 0; i < url.length && plain; i++) {
    const c = url.charCodeAt(i)
    plain = c > 0x1f && c < 0x7f && c !== 0x25
  }
  if (plain) return
  const bytes: number[] = []
  for (let i = 0; i < url.length; i++) {
    const c = url.charCodeAt(i)
    const h = c === 0x25 ? url.slice(i + 1, i + 3) : ''
    if (/^[0-9a-fA-F]{2}$/.test(h)) {
      bytes.push(Number.parseInt(h, 16))
      i += 2
    } else if (c < 0x100) bytes.push(c) // Node hands the raw target over as latin1: one char per byte
    else throw sgError('SG_ERR_INPUT_UNSTORABLE', 'the path or query holds a character outside UTF-8 bytes')
  }
  if (bytes.includes(0)) throw sgError('SG_ERR_INPUT_UNSTORABLE', 'the path or query holds NUL (%00)')
  decodeUtf8(Uint8Array.from(bytes), 'the path or query (after percent-decoding)')
}

const hasBody = (request: FastifyRequest): boolean =>
  request.headers['transfer-encoding'] !== undefined || (request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0')

function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) return
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW'
  const e = tooLarge ? sgError('SG_ERR_BODY_TOO_LARGE', 'the request headers are too large') : sgError('SG_ERR_VALIDATION', `malformed HTTP request (${err.code ?? 'parse error'})`)
  const body = JSON.stringify(toProblem(e, '/'))
  socket.end(`HTTP/1.1 ${e.statusCode} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\ncontent-type: application/problem+json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`)
}

export const clientErrorHandler = answerClientError

/**
 * Fastify's router errors, answered as problem+json: a path it cannot percent-decode (an encoded
 * lone surrogate, say) is refused before any route is chosen, so it cannot be 401 first.
 */
export function frameworkErrors(err: Error & { code?: string }, request: FastifyRequest, reply: FastifyReply): void {
  const e = err.code === 'FST_ERR_BAD_URL' ? sgError('SG_ERR_INPUT_UNSTORABLE', 'the path is not percent-encoded UTF-8')
    : err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? sgError('SG_ERR_VALIDATION', 'a path parameter is longer than 100 characters')
      : sgError('SG_ERR_VALIDATION', err.code ?? 'the request could not be routed')
  void reply.status(e.statusCode).type('application/problem+json').send(toProblem(e, request.url))
}

export default fp(async function inputHardeningPlugin(app: FastifyInstance) {
  // Node would answer `Expect: 100-continue` with 100 before any hook ran; with a listener it
  // leaves that to us (preParsing below), and the request goes through Fastify as usual.
  app.server.on('checkContinue', (req, res) => app.server.emit('request', req, res))

  // preParsing runs after every onRequest hook (the rate limiter's and authentication's, which are
  // route-level) and before the body, the validators and any handler.
  app.addHook('preParsing', (request, reply, payload, done) => {
    try {
      checkRequestTarget(request.raw.url ?? '/')
    } catch (err) {
      return done(err as Error)
    }
    const declared = Number(request.headers['content-length'])
    const limit = request.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit ?? 1024 * 1024
    if (Number.isFinite(declared) && declared > limit) {
      void reply.header('connection', 'close')
      return done(sgError(request.routeOptions.config.bodyTooLargeCode ?? 'SG_ERR_BODY_TOO_LARGE', `Content-Length ${declared}; this route accepts at most ${limit} bytes`, { limit }))
    }
    if (/100-continue/i.test(String(request.headers.expect ?? '')) && !reply.raw.headersSent) reply.raw.writeContinue()
    done(null, payload)
  })

  // A refusal sent before the body was read: close the connection so the client stops sending
  // (and a keep-alive connection is not left mid-body).
  app.addHook('onSend', async (request, reply) => {
    if (reply.statusCode >= 400 && hasBody(request) && !request.raw.complete) void reply.header('connection', 'close')
  })
}, { name: 'skillgate-input-hardening', dependencies: ['skillgate-auth'] })
