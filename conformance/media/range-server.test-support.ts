// A static file server on loopback for the media tests: answers Range requests with 206 (or, with
// `ignoreRange`, the whole file with 200, as some CDNs do), 404 for names in `missing`, and counts
// the body bytes it sends, so a test can say how much of a file a measurement read.
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join, normalize } from 'node:path'
import type { Test } from 'tap'

export interface RangeServer { url: string; bytesSent: () => number; requests: () => number }

export async function serveDir(t: Test, root: string, opts: { ignoreRange?: boolean; missing?: string[] } = {}): Promise<RangeServer> {
  let sent = 0
  let requests = 0
  const server = createServer((req, res) => {
    requests++
    const rel = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^\/+/, '')
    if (rel.startsWith('..') || opts.missing?.includes(rel)) {
      res.writeHead(404).end('not found')
      return
    }
    const file = join(root, rel)
    stat(file).then((s) => {
      const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '')
      let start = 0
      let end = s.size - 1
      if (range && !opts.ignoreRange) {
        start = Number(range[1])
        end = range[2] ? Math.min(Number(range[2]), s.size - 1) : s.size - 1
        if (start >= s.size) {
          res.writeHead(416, { 'content-range': `bytes */${s.size}` }).end()
          return
        }
        res.writeHead(206, { 'content-range': `bytes ${start}-${end}/${s.size}`, 'content-length': String(end - start + 1), 'accept-ranges': 'bytes' })
      } else {
        res.writeHead(200, { 'content-length': String(s.size) })
      }
      if (end < start) return res.end()
      const stream = createReadStream(file, { start, end })
      stream.on('data', (c) => { sent += c.length })
      stream.pipe(res)
      res.on('close', () => stream.destroy())
    }, () => res.writeHead(404).end('not found'))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.teardown(() => new Promise<void>((r) => {
    server.closeAllConnections()
    server.close(() => r())
  }))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bytesSent: () => sent, requests: () => requests }
}
