// The HTTP byte source against real loopback servers: ranges with and without Range support, the
// transfer stopped early when the server ignores Range, a cross-origin redirect followed by hand
// and noted, a 404 as SG_ERR_PREVIEW_MEDIA_UNAVAILABLE, a server that answers the wrong range.
import t from 'tap'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { readFile, stat } from 'node:fs/promises'
import { basename, dirname } from 'node:path'
import * as media from '../../fixtures/media/generate.js'
import { createProbeClient } from '../net/probe-client.js'
import { openHttpSource } from './http-byte-source.js'
import { serveDir } from './range-server.test-support.js'

const client = createProbeClient({ mode: 'local' })
t.teardown(() => client.close())

t.test('with Range: each read is its own range, the real length comes from Content-Range', async (t) => {
  const file = await media.mp4({ seconds: 300 })
  const bytes = await readFile(file)
  const server = await serveDir(t, dirname(file))
  const src = await openHttpSource({ client, url: `${server.url}/${basename(file)}`, deadlineMs: 10_000, maxFileBytes: 1e9, headBytes: 1024, scratchDir: async () => t.testdir() })
  t.teardown(() => src.close())
  t.equal(await src.size(), bytes.length)
  t.same(await src.read(100, 50), bytes.subarray(100, 150), 'inside the head')
  t.same(await src.read(5000, 300), bytes.subarray(5000, 5300), 'a range request')
  t.same(await src.read(1000, 100), bytes.subarray(1000, 1100), 'across the end of the head')
  t.equal((await src.read(bytes.length + 10, 10)).length, 0, 'past the end: nothing')
  t.equal((await src.read(bytes.length - 5, 10)).length, 5, 'at the end: what exists')
  t.equal(src.stats.rangeIgnored, false)
  t.ok(src.stats.bytes < 3000, `${src.stats.bytes} bytes read`)
})

t.test('without Range: the body is read as it comes and the transfer stops when the source closes', async (t) => {
  const file = await media.mp4({ seconds: 660 })
  const bytes = await readFile(file)
  const server = await serveDir(t, dirname(file), { ignoreRange: true })
  const src = await openHttpSource({ client, url: `${server.url}/${basename(file)}`, deadlineMs: 10_000, maxFileBytes: 1e9, headBytes: 1024, scratchDir: async () => t.testdir() })
  t.equal(src.stats.rangeIgnored, true)
  t.same(await src.read(2000, 100), bytes.subarray(2000, 2100))
  t.same(await src.read(10, 10), bytes.subarray(10, 20), 'an offset already passed is served from the spool')
  await src.close()
  t.ok(server.bytesSent() < bytes.length, `${server.bytesSent()} of ${bytes.length} bytes sent before the transfer stopped`)
  const whole = await openHttpSource({ client, url: `${server.url}/${basename(file)}`, deadlineMs: 10_000, maxFileBytes: 1e9, scratchDir: async () => t.testdir() })
  t.same(await readFile(await whole.localFile()), bytes, 'localFile: the whole body')
  t.equal(whole.stats.fullDownload, true)
  await whole.close()
})

t.test('a cross-origin redirect is followed by hand and noted; a 404 is SG_ERR_PREVIEW_MEDIA_UNAVAILABLE', async (t) => {
  const file = await media.mp4({ seconds: 30 })
  const cdn = await serveDir(t, dirname(file))
  const origin = createServer((req, res) => {
    if (req.url === '/p.mp4') res.writeHead(302, { location: `${cdn.url}/${basename(file)}` }).end()
    else res.writeHead(404).end('not found')
  })
  await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r))
  t.teardown(() => new Promise<void>((r) => origin.close(() => r())))
  const base = `http://localhost:${(origin.address() as AddressInfo).port}`
  const hosts: string[] = []
  const src = await openHttpSource({ client, url: `${base}/p.mp4`, deadlineMs: 10_000, maxFileBytes: 1e9, onHost: (u) => hosts.push(u), scratchDir: async () => t.testdir() })
  t.equal(await src.size(), (await stat(file)).size)
  t.equal(src.name, `${cdn.url}/${basename(file)}`)
  t.same(hosts, [`${base}/p.mp4`, `${cdn.url}/${basename(file)}`], 'both hosts are media hosts (R20-3)')
  await src.close()
  await t.rejects(openHttpSource({ client, url: `${base}/gone.mp4`, deadlineMs: 10_000, maxFileBytes: 1e9, scratchDir: async () => t.testdir() }), { code: 'SG_ERR_PREVIEW_MEDIA_UNAVAILABLE', details: { status: 404 } })
})

t.test('a server that answers another range than asked is an unreadable index, not a measurement', async (t) => {
  const server = createServer((req, res) => {
    const body = Buffer.alloc(100, 1)
    res.writeHead(206, { 'content-range': req.headers.range === 'bytes=0-9' ? 'bytes 0-9/1000' : 'bytes 0-99/1000', 'content-length': String(req.headers.range === 'bytes=0-9' ? 10 : 100) })
    res.end(req.headers.range === 'bytes=0-9' ? body.subarray(0, 10) : body)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.teardown(() => new Promise<void>((r) => server.close(() => r())))
  const src = await openHttpSource({ client, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`, deadlineMs: 10_000, maxFileBytes: 1e9, headBytes: 10, scratchDir: async () => t.testdir() })
  t.teardown(() => src.close())
  await t.rejects(src.read(500, 100), { code: 'SG_ERR_MEDIA_INDEX_UNREADABLE' })
})

t.test('bodies land in memory reused from one source to the next, never in memory a read may still write (issue #14)', async (t) => {
  const file = await media.mp4({ seconds: 30 })
  const bytes = await readFile(file)
  const server = await serveDir(t, dirname(file))
  const url = `${server.url}/${basename(file)}`
  const open = () => openHttpSource({ client, url, deadlineMs: 10_000, maxFileBytes: 1e9, headBytes: 1024, scratchDir: async () => t.testdir() })
  const first = await open()
  const a = await first.read(4000, 200)
  t.same(a, bytes.subarray(4000, 4200))
  const memory = a.buffer
  await first.close()
  const second = await open()
  const b = await second.read(6000, 200)
  t.same(b, bytes.subarray(6000, 6200), 'the bytes asked for, whatever the memory held before')
  t.equal(b.buffer, memory, 'the next source reads into the memory the closed one gave back')
  // A source closed while a range is in flight (a sibling HLS segment failed): its memory is not reused.
  let release!: () => void
  const held = new Promise<void>((r) => { release = r })
  const slow = createServer((req, res) => {
    const range = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? '')!
    const [from, to] = [Number(range[1]), Math.min(Number(range[2]), bytes.length - 1)]
    const send = () => res.writeHead(206, { 'content-range': `bytes ${from}-${to}/${bytes.length}`, 'content-length': to - from + 1 }).end(bytes.subarray(from, to + 1))
    if (from === 0) send()
    else void held.then(send)
  })
  await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r))
  t.teardown(() => new Promise<void>((r) => slow.close(() => r())))
  await second.close()
  const third = await openHttpSource({ client, url: `http://127.0.0.1:${(slow.address() as AddressInfo).port}/x.mp4`, deadlineMs: 10_000, maxFileBytes: 1e9, headBytes: 1024, scratchDir: async () => t.testdir() })
  const pending = third.read(8000, 200)
  await third.close()
  const fourth = await open()
  const c = await fourth.read(9000, 200)
  release()
  t.same(await pending, bytes.subarray(8000, 8200), 'the late read still completes')
  t.same(c, bytes.subarray(9000, 9200), 'and did not write into the next source\'s bytes')
  t.not(c.buffer, (await pending).buffer, 'the memory of the read in flight was not handed on')
  await fourth.close()
})
