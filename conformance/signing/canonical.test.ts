import t from 'tap'
import { canonicalHost, canonicalParts, canonicalPath, canonicalQuery, canonicalRequest, normalisePercentEncoding, stringToSign } from './canonical.js'

const meta = { keyId: 'k-1', timestamp: 1767196800, nonce: 'abcdefghijklmnop' }

t.test('percent-encoding is normalised per RFC 3986', async (t) => {
  const cases: Array<[string, string, string]> = [
    ['lower-case hex becomes upper-case', '%e7%94%b5', '%E7%94%B5'],
    ['unreserved characters are decoded', '%41%7e%2D', 'A~-'],
    ['raw UTF-8 is encoded', '电工', '%E7%94%B5%E5%B7%A5'],
    ['reserved characters are encoded', "a b+(c)!*'", 'a%20b%2B%28c%29%21%2A%27'],
    ['a lone % is a literal percent', '100%', '100%25'],
    ['an invalid triplet is a literal percent', '%zz', '%25zz'],
  ]
  for (const [name, raw, want] of cases) t.equal(normalisePercentEncoding(raw), want, name)
})

t.test('path: segments normalised, %2F kept, dot segments and slashes untouched', async (t) => {
  t.equal(canonicalPath('/v1/a%2Fb/./c/../電'), '/v1/a%2Fb/./c/../%E9%9B%BB')
  t.equal(canonicalPath(''), '/', 'empty path is /')
  t.equal(canonicalPath('//x//'), '//x//')
  t.not(canonicalPath('/v1/a%2Fb'), canonicalPath('/v1/a/b'), 'an encoded slash is not a separator')
})

t.test('query: decoded, re-encoded, sorted by key then value, + is literal', async (t) => {
  t.equal(canonicalQuery('q=电工&page=2&a=1&a=0'), 'a=0&a=1&page=2&q=%E7%94%B5%E5%B7%A5')
  t.equal(canonicalQuery('b=%e7%94%b5&a'), 'a=&b=%E7%94%B5')
  t.equal(canonicalQuery('x=a+b'), 'x=a%2Bb')
  t.not(canonicalQuery('x=a+b'), canonicalQuery('x=a%20b'), 'a plus is not a space')
  t.equal(canonicalQuery('&&a=1&'), 'a=1', 'empty pairs dropped')
  t.equal(canonicalQuery(''), '')
  t.equal(canonicalQuery('a=%3D='), 'a=%3D%3D', 'only the first = splits')
  t.equal(canonicalQuery('B=1&a=1'), 'B=1&a=1', 'byte order: upper-case sorts first')
})

t.test('host: lower-cased, default ports dropped, others kept', async (t) => {
  t.equal(canonicalHost('API.Example.CN:443'), 'api.example.cn')
  t.equal(canonicalHost('api.example.cn:80'), 'api.example.cn')
  t.equal(canonicalHost('api.example.cn:8443'), 'api.example.cn:8443')
  t.equal(canonicalHost('[::1]:8080'), '[::1]:8080')
  t.equal(canonicalHost('[::1]:443'), '[::1]')
})

t.test('a full URL and a request-target with a Host header give the same canonical request', async (t) => {
  const full = canonicalRequest({ method: 'post', url: 'https://API.example.cn/v1/x?b=2&a=1#frag', body: '{"a":"电"}' }, meta)
  const target = canonicalRequest({ method: 'POST', url: '/v1/x?a=1&b=2', headers: { Host: 'api.example.cn:443' }, body: Buffer.from('{"a":"电"}') }, meta)
  t.equal(full, target)
  t.equal(full.split('\n').length, 8, 'eight lines')
  const other = canonicalRequest({ method: 'POST', url: '/v1/x?a=1&b=2', headers: { host: 'api.example.cn:8443' }, body: '{"a":"电"}' }, meta)
  t.not(other, full, 'a different port is a different request')
})

t.test('an explicit Host header wins over the URL authority; IDN hosts become punycode', async (t) => {
  t.equal(canonicalParts({ method: 'GET', url: 'http://127.0.0.1:9999/x', headers: { host: 'api.example.cn' } }, meta).host, 'api.example.cn')
  t.equal(canonicalParts({ method: 'GET', url: 'https://电工.中国/x' }, meta).host, 'xn--estv23c.xn--fiqs8s')
})

t.test('empty body, undefined body and null body hash alike; one byte differs', async (t) => {
  const h = (body: string | Buffer | undefined | null) => canonicalParts({ method: 'DELETE', url: 'https://a.cn/x', body }, meta).bodySha256
  t.equal(h(undefined), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
  t.equal(h(null), h(undefined))
  t.equal(h(''), h(Buffer.alloc(0)))
  t.not(h(' '), h(''))
})

t.test('a request-target without a host cannot be canonicalised', async (t) => {
  t.throws(() => canonicalRequest({ method: 'GET', url: '/v1/x' }, meta), /needs a host/)
})

t.test('the string to sign binds the algorithm', async (t) => {
  const c = canonicalRequest({ method: 'GET', url: 'https://a.cn/' }, meta)
  t.match(stringToSign('HMAC-SHA256', c), /^SG-SIGNATURE-V1\nHMAC-SHA256\n[0-9a-f]{64}$/)
  t.not(stringToSign('HMAC-SHA256', c), stringToSign('HMAC-SM3', c))
})
