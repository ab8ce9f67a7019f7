import { randomBytes } from 'node:crypto'
import { inspect } from 'node:util'
import t from 'tap'
import { MasterKeyError, MasterKeySet, parseMasterKeys } from '../../src/domain/master-keys.ts'

const k1 = randomBytes(32)
const k2 = randomBytes(32)

t.test('comma-separated id:base64 entries; the first is current', async (t) => {
  const set = parseMasterKeys(`mk-2026:${k1.toString('base64')}, mk-2025:${k2.toString('base64url')}`)
  t.equal(set.currentId, 'mk-2026')
  t.same(set.ids, ['mk-2026', 'mk-2025'])
  t.ok(set.key('mk-2026')?.equals(k1))
  t.ok(set.key('mk-2025')?.equals(k2), 'URL-safe base64 is read too')
  t.equal(set.key('other'), undefined)
})

t.test('a key file may put one entry per line, with comments', async (t) => {
  const set = parseMasterKeys(`# current first\nnew:${k1.toString('base64')}\n\nold:${k2.toString('base64')}\n`)
  t.same(set.ids, ['new', 'old'])
})

t.test('refuses what cannot be used, without echoing key material', async (t) => {
  const short = randomBytes(16).toString('base64')
  const cases: Array<[string, RegExp]> = [
    ['', /no master key/],
    [`a:${short}`, /master key a is 16 bytes; it must be 32/],
    [k1.toString('base64'), /entry 1 is not id:base64/],
    [`a:${k1.toString('base64')},a:${k2.toString('base64')}`, /given twice/],
    ['a:not base64!!', /master key a is not base64/],
    [`bad id:${k1.toString('base64')}`, /is not 1–64 letters/]
  ]
  for (const [text, message] of cases) {
    const err = t.throws(() => parseMasterKeys(text), MasterKeyError) as unknown as Error
    t.match(err.message, message)
    t.notMatch(err.message, short)
    t.notMatch(err.message, k1.toString('base64'))
  }
})

t.test('neither JSON nor inspect shows the key bytes', async (t) => {
  const set = new MasterKeySet([{ id: 'mk1', key: k1 }, { id: 'mk0', key: k2 }])
  const json = JSON.stringify({ config: { masterKeys: set } })
  t.equal(json, '{"config":{"masterKeys":{"current":"mk1","ids":["mk1","mk0"]}}}')
  const shown = inspect({ masterKeys: set }, { depth: 10, showHidden: true })
  for (const key of [k1, k2]) {
    t.notMatch(shown, key.toString('base64'))
    t.notMatch(shown, key.toString('hex'))
  }
  t.match(shown, /current: mk1/)
})
