// The demo that `npm start` runs: seeds a reviewer and an admin token (printed once; only their
// hashes are stored) so the README walk-through works on a fresh machine.
import type { FastifyInstance } from 'fastify'

export async function startDemo(app: FastifyInstance): Promise<void> {
  const reviewer = await app.store.apiTokens.create({ role: 'reviewer', label: 'demo reviewer' })
  const admin = await app.store.apiTokens.create({ role: 'admin', label: 'demo admin' })
  // R10: the roadshow needs several reviewers' scores, so the demo seeds a small committee.
  const committee = [reviewer, ...(await Promise.all([2, 3].map((i) => app.store.apiTokens.create({ role: 'reviewer', label: `demo reviewer ${i}` }))))]
  const address = app.server.address()
  const base = typeof address === 'object' && address ? `http://${address.address}:${address.port}` : ''
  // The one place the gateway writes to stdout: what a person starting the demo needs to copy.
  process.stdout.write([
    '',
    `skillgate gateway (demo) on ${base}`,
    `  docs:           ${base}/docs`,
    `  specification:  ${base}/spec/`,
    `  reviewer token: ${reviewer.token}`,
    ...committee.slice(1).map((r, i) => `  reviewer ${i + 2}:     ${r.token}`),
    `  admin token:    ${admin.token}`,
    '  (tokens are shown once; only their hashes are stored)',
    `  reviewer console: ${base}/console/  (sign in with one of the reviewers' tokens)`,
    `  publicity page: ${base}/publicity`,
    '  admission walk-through (apply, review, probe, publicize, admit): docs/walkthrough.md',
    '',
  ].join('\n'))
}
