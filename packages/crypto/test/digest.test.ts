import t from 'tap'
import { jsonDigest, sha256Hex } from '../src/digest.ts'
import { canonicalJson } from '../src/canonical-json.ts'

t.test('sha256Hex known vectors', async (t) => {
  t.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  t.equal(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
  t.equal(sha256Hex(new Uint8Array([0x61, 0x62, 0x63])), sha256Hex('abc'), 'bytes and string agree')
  t.equal(sha256Hex('é'), sha256Hex(new TextEncoder().encode('é')), 'strings are hashed as UTF-8')
  t.match(sha256Hex('anything'), /^[0-9a-f]{64}$/)
})

t.test('jsonDigest is the sha256 of the canonical form', async (t) => {
  const v = { b: [1, 2], a: 'Lào Cai' }
  t.equal(jsonDigest(v), sha256Hex(canonicalJson(v)))
  t.equal(jsonDigest(v), sha256Hex('{"a":"Lào Cai","b":[1,2]}'))
})

t.test('equal digest for reordered keys, different for changed values', async (t) => {
  const a = { document: { number: '12', notation: 'UBND-VP', priority: 0 }, to: ['000.00.31.H38'] }
  const b = { to: ['000.00.31.H38'], document: { priority: 0, notation: 'UBND-VP', number: '12' } }
  t.equal(jsonDigest(a), jsonDigest(b))
  t.equal(jsonDigest({ x: 1.0 }), jsonDigest({ x: 1 }))
  t.not(jsonDigest(a), jsonDigest({ ...a, to: ['000.00.32.H38'] }))
  t.not(jsonDigest(a), jsonDigest({ ...a, document: { ...a.document, priority: 1 } }))
  t.not(jsonDigest({ x: 1 }), jsonDigest({ x: '1' }), 'types matter')
  t.not(jsonDigest([1, 2]), jsonDigest([2, 1]))
})
