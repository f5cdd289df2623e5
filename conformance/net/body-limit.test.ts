// readLimitedBody on its own: the identity fast path and the streamed decoding path must enforce
// the same limits (R: probe client bounds every body) and report the same byte counts.
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import t from 'tap'
import { readLimitedBody } from './body-limit.js'

const chunks = (n: number, size: number): Buffer[] => Array.from({ length: n }, (_, i) => Buffer.alloc(size, 0x61 + (i % 26)))

t.test('identity: the body is collected whole and counted; every chunk is seen', async (t) => {
  const parts = chunks(4, 1000)
  const seen: number[] = []
  const out = await readLimitedBody(Readable.from(parts), { contentEncoding: undefined, maxBytes: 4000, onChunk: (c) => seen.push(c.length) })
  t.same(out.body, Buffer.concat(parts))
  t.equal(out.rawBytes, 4000)
  t.equal(out.decodedBytes, 4000)
  t.same(seen, [1000, 1000, 1000, 1000])
})

t.test('identity: one byte over the cap is SG_ERR_NET_BODY_TOO_LARGE and the source is destroyed', async (t) => {
  const source = Readable.from(chunks(5, 1000))
  await t.rejects(readLimitedBody(source, { contentEncoding: 'identity', maxBytes: 4999 }), { code: 'SG_ERR_NET_BODY_TOO_LARGE' })
  t.ok(source.destroyed)
})

t.test('identity: an abort ends the read with the signal reason, also when already aborted', async (t) => {
  const never = new Readable({ read() { /* trickles nothing */ } })
  const ac = new AbortController()
  const pending = readLimitedBody(never, { contentEncoding: undefined, maxBytes: 10, signal: ac.signal })
  ac.abort(new Error('deadline'))
  await t.rejects(pending, { message: 'deadline' })
  t.ok(never.destroyed)
  await t.rejects(readLimitedBody(Readable.from(chunks(1, 1)), { contentEncoding: undefined, maxBytes: 10, signal: AbortSignal.abort(new Error('early')) }), { message: 'early' })
})

t.test('identity: a source error is passed through', async (t) => {
  const broken = new Readable({ read() { this.destroy(Object.assign(new Error('reset'), { code: 'ECONNRESET' })) } })
  await t.rejects(readLimitedBody(broken, { contentEncoding: undefined, maxBytes: 10 }), { code: 'ECONNRESET' })
})

t.test('gzip: decoded bytes are capped (a bomb stops at the limit); a small body decodes', async (t) => {
  const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024))
  await t.rejects(readLimitedBody(Readable.from([bomb]), { contentEncoding: 'gzip', maxBytes: 1024 * 1024 }), { code: 'SG_ERR_NET_BODY_TOO_LARGE' })
  const out = await readLimitedBody(Readable.from([gzipSync('hello')]), { contentEncoding: 'gzip', maxBytes: 5 })
  t.equal(out.body.toString(), 'hello')
  t.equal(out.decodedBytes, 5)
  await t.rejects(readLimitedBody(Readable.from([Buffer.from('not gzip')]), { contentEncoding: 'gzip', maxBytes: 100 }), { code: 'SG_ERR_NET_DECODE' })
})

t.test('into: the body is copied into the caller\'s memory as it arrives, capped at its length, also when decoded', async (t) => {
  const into = Buffer.alloc(4096, 0x2e)
  const parts = chunks(3, 1000)
  const out = await readLimitedBody(Readable.from(parts), { contentEncoding: undefined, maxBytes: 1e6, into })
  t.same(out.body, Buffer.concat(parts))
  t.equal(out.body.buffer, into.buffer, 'a view of the caller\'s memory, no joined copy')
  await t.rejects(readLimitedBody(Readable.from(chunks(5, 1000)), { contentEncoding: undefined, maxBytes: 1e6, into }), { code: 'SG_ERR_NET_BODY_TOO_LARGE' }, 'more than the memory holds')
  const zipped = await readLimitedBody(Readable.from([gzipSync('hello')]), { contentEncoding: 'gzip', maxBytes: 100, into })
  t.equal(zipped.body.toString(), 'hello')
  t.equal(zipped.body.buffer, into.buffer)
})
