// The ordered list of migrations. To add one: create `NNNN-short-name.ts` next to this file that
// exports `up(db)` (and `down(db)`), then append it here. Names sort lexically, so keep the
// 4-digit prefix; never edit or reorder a migration that has shipped.
import type { Migration } from 'kysely'
import * as m0001 from './0001-foundations.js'
import * as m0002 from './0002-workflow.js'
import * as m0003 from './0003-packages.js'
import * as m0004 from './0004-data-interface.js'
import * as m0005 from './0005-participant-identity.js'
import * as m0006 from './0006-shared-blobs.js'
import * as m0007 from './0007-dead-job-runs.js'

export const migrations: ReadonlyArray<readonly [name: string, migration: Migration]> = [
  ['0001-foundations', m0001],
  ['0002-workflow', m0002],
  ['0003-packages', m0003],
  ['0004-data-interface', m0004],
  ['0005-participant-identity', m0005],
  ['0006-shared-blobs', m0006],
  ['0007-dead-job-runs', m0007],
]
