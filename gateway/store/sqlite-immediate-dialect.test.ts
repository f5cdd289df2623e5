import t from 'tap'
import BetterSqlite3 from 'better-sqlite3'
import { withStatementCache } from './sqlite-immediate-dialect.js'

t.test('prepared statements are reused by SQL text, bounded, and never shared while iterating', async (t) => {
  const raw = new BetterSqlite3(':memory:')
  raw.exec('create table n (v integer)')
  for (let i = 0; i < 3; i++) raw.prepare('insert into n values (?)').run(i)
  const db = withStatementCache(raw, 2)
  t.teardown(() => db.close())

  t.test('the same text returns the same statement; other text another one', async (t) => {
    const a = db.prepare('select v from n order by v')
    t.equal(db.prepare('select v from n order by v'), a)
    t.not(db.prepare('select count(*) from n'), a)
  })

  t.test('a statement still being iterated is not handed out again', async (t) => {
    const text = 'select v from n order by v'
    const iterating = db.prepare(text)
    const it = iterating.iterate([])
    t.same(it.next().value, { v: 0 })
    const second = db.prepare(text)
    t.not(second, iterating, 'a busy statement gets a fresh twin')
    t.same(second.all([]), [{ v: 0 }, { v: 1 }, { v: 2 }], 'the twin runs while the first iterates')
    t.same([...it], [{ v: 1 }, { v: 2 }], 'the first iteration is undisturbed')
    t.equal(db.prepare(text), iterating, 'once done, the cached statement is reused')
  })

  t.test('the least recently used text is dropped past the bound', async (t) => {
    const first = db.prepare('select 1')
    db.prepare('select 2')
    db.prepare('select 3')
    t.not(db.prepare('select 1'), first, 'evicted after two newer texts (bound 2)')
  })
})
