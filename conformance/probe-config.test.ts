// The probe config format is part of the published specification (specs/schemas/probe-config.schema.json):
// the file's own examples, one per provider kind, load through the same path `skillgate probe --config` uses.
import t from 'tap'
import { listSpecFiles } from '../specs/lib/publish.js'
import { schemas } from '../specs/lib/schemas.js'
import { parseProbeConfig } from './probe-config.js'

const examples = (schemas().file('probe-config')!.schema.examples ?? []) as Array<Record<string, unknown>>
const env = { SG_TENANT_A_TOKEN: 'token-a', SG_TENANT_B_TOKEN: 'token-b' }

t.test('the published schema carries an example of each kind, and each loads', async (t) => {
  t.same(examples.map((e) => e.kind).sort(), ['on-demand', 'self-hosted'])
  for (const example of examples) {
    const config = parseProbeConfig(JSON.stringify(example), env, `${String(example.kind)} example`)
    t.equal(config.kind, example.kind)
    t.ok(Object.isFrozen(config), 'frozen')
  }
  const selfHosted = parseProbeConfig(JSON.stringify(examples.find((e) => e.kind === 'self-hosted')), env)
  t.same(selfHosted.tenants, { A: { tenantId: 'sandbox-a', token: 'token-a' }, B: { tenantId: 'sandbox-b', token: 'token-b' } }, 'R5.3-5a: tenant tokens come from the environment')
})

t.test('the schema is published with the specification (spec export and /spec/)', async (t) => {
  t.ok(listSpecFiles().some((f) => f.path === 'schemas/probe-config.schema.json'))
})

t.test('a literal secret, an unknown key and an unset variable are refused', async (t) => {
  const base = examples.find((e) => e.kind === 'on-demand')!
  t.throws(() => parseProbeConfig(JSON.stringify({ ...base, secret: 's3cr3t' }), env), { code: 'SG_ERR_PROBE_CONFIG', message: /\/secret/ })
  t.throws(() => parseProbeConfig(JSON.stringify({ ...base, tenants: { A: { tenantId: 'a' } } }), env), { code: 'SG_ERR_PROBE_CONFIG', message: /\/tenants\/A\/token/ })
  t.throws(() => parseProbeConfig(JSON.stringify(examples.find((e) => e.kind === 'self-hosted')), {}), { code: 'SG_ERR_PROBE_ENV_MISSING' })
})

t.test('the media options are config keys too (R5.1-3, R5.2-2), with their flags\' bounds', async (t) => {
  const base = examples.find((e) => e.kind === 'on-demand')!
  const config = parseProbeConfig(JSON.stringify({ ...base, mediaMethod: 'ffprobe', referee: 0, mediaConcurrency: 64 }), env)
  t.same([config.mediaMethod, config.referee, config.mediaConcurrency], ['ffprobe', 0, 64])
  t.throws(() => parseProbeConfig(JSON.stringify({ ...base, mediaMethod: 'header' }), env), { code: 'SG_ERR_PROBE_CONFIG', message: /\/mediaMethod/ })
  t.throws(() => parseProbeConfig(JSON.stringify({ ...base, referee: -1 }), env), { code: 'SG_ERR_PROBE_CONFIG', message: /\/referee/ })
  t.throws(() => parseProbeConfig(JSON.stringify({ ...base, mediaConcurrency: 0 }), env), { code: 'SG_ERR_PROBE_CONFIG', message: /\/mediaConcurrency/ })
})
