// R16: courses are classified by the training catalogue; these tests hold the published code list
// to the occupation-classification hierarchy and exercise the extension mechanism.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { categoryLevel, categoryName, isValidCategory, loadCategories, parentCode } from './categories.js'
import type { CategoryFile } from './categories.js'

const ext = (categories: CategoryFile['categories'], over: Partial<CategoryFile> = {}): CategoryFile => ({
  kind: 'extension', id: 'beijing-local-2026', version: '1.0.0', extends: 'cn-occupation-2022', categories, ...over,
})
const name = (zh: string) => ({ 'zh-CN': zh, en: zh })

t.test('the base list: 8 major groups, sample subset, training occupations present', async (t) => {
  const cat = loadCategories()
  t.same(cat.list().filter((c) => c.level === 'major').map((c) => c.code), ['1', '2', '3', '4', '5', '6', '7', '8'])
  t.same(cat.sources, ['cn-occupation-2022@2022.1.0'])
  const expected: Record<string, string> = {
    '6-31-01-03': '电工', '4-10-01-02': '育婴员', '4-10-01-05': '养老护理员', '4-03-02-01': '中式烹调师', '4-04-05-01': '计算机程序设计员',
  }
  for (const [code, zh] of Object.entries(expected)) t.equal(categoryName(code), zh, code)
  t.equal(categoryName('6-31-01-03', 'en'), 'Electrician')
})

t.test('hierarchy integrity: every code is well-formed, its parent exists, and it walks up to a major group', async (t) => {
  const cat = loadCategories()
  for (const c of cat.list()) {
    t.equal(categoryLevel(c.code), c.level, `${c.code} level`)
    if (c.parent !== null) t.ok(cat.get(c.parent), `${c.code} parent ${c.parent}`)
    const path = cat.path(c.code)
    t.equal(path[0]?.level, 'major', `${c.code} reaches a major group`)
    t.equal(path.length, c.code.split('-').length, `${c.code} path length`)
  }
  t.same(cat.children('4-10-01').map((c) => c.code), ['4-10-01-02', '4-10-01-03', '4-10-01-05', '4-10-01-06'])
})

t.test('isValidCategory: listed codes pass, near misses fail', async (t) => {
  t.ok(isValidCategory('6-31-01-03'))
  t.notOk(isValidCategory('6-31-01-99'), 'well-formed but unlisted')
  t.notOk(isValidCategory('6-31-1-03'), 'one-digit part')
  t.notOk(isValidCategory('9'), 'no ninth major group')
  t.ok(isValidCategory('6-31', { level: 'medium' }))
  t.notOk(isValidCategory('6-31', { level: 'occupation' }), 'right code, wrong level')
  t.equal(categoryName('6-31-01-99'), undefined)
})

t.test('code format helpers', async (t) => {
  t.equal(categoryLevel('4'), 'major')
  t.equal(categoryLevel('4-10-01-05'), 'occupation')
  t.equal(categoryLevel('4-10-01-05-01'), undefined, 'work types (工种) are not catalogue codes')
  t.equal(categoryLevel('0-01'), undefined)
  t.equal(parentCode('4-10-01-05'), '4-10-01')
  t.equal(parentCode('4'), null)
})

t.test('extensions: a valid extension adds codes, from an object or a file', async (t) => {
  const e = ext([
    { code: '4-10-01-04', name: name('孤残儿童护理员') },
    { code: '4-14-01-01', name: name('示例职业') },
    { code: '4-14', name: name('示例中类') },
    { code: '4-14-01', name: name('示例小类') },
  ])
  const cat = loadCategories([e])
  t.ok(cat.isValid('4-10-01-04'))
  t.equal(cat.get('4-14-01-01')?.source, 'beijing-local-2026', 'source recorded')
  t.same(cat.sources, ['cn-occupation-2022@2022.1.0', 'beijing-local-2026@1.0.0'])
  t.notOk(isValidCategory('4-10-01-04'), 'the module-level check stays on the base list')

  const dir = t.testdir({})
  const file = join(dir, 'ext.json')
  writeFileSync(file, JSON.stringify(e))
  t.ok(loadCategories([file]).isValid('4-14-01'))
})

t.test('extensions: each single defect is refused', async (t) => {
  t.throws(() => loadCategories([ext([{ code: '4-14-01', name: name('缺少上级') }])]), /has no parent 4-14/, 'missing parent')
  t.throws(() => loadCategories([ext([{ code: '6-31-01-03', name: name('改名的电工') }])]), /defined twice/, 'redefining a base code')
  t.throws(() => loadCategories([ext([{ code: '4-10-1-04', name: name('格式错误') }])]), /categories\.schema\.json/, 'malformed code')
  t.throws(() => loadCategories([ext([{ code: '4-10-01-04', name: { 'zh-CN': '只有中文' } } as never])]), /categories\.schema\.json/, 'name without en')
  t.throws(() => loadCategories([ext([{ code: '4-10-01-04', name: name('x') }], { kind: 'base' })]), /only the first file/, 'a second base list')
  t.throws(
    () => loadCategories([ext([{ code: '4-10-01-04', name: name('x') }, { code: '4-10-01-04', name: name('y') }])]),
    /defined twice/,
    'duplicate inside one extension',
  )
  t.doesNotThrow(() => loadCategories([ext([{ code: '4-10-01-04', name: name('x') }])]), 'the passing twin')
})
