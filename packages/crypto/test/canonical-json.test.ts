import t from 'tap'
import { canonicalJson } from '../src/canonical-json.ts'

t.test('RFC 8785 §3.2.2 example: numbers, string escapes, literals, key order', async (t) => {
  const input = {
    numbers: [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
    string: '\u20ac$\u000F\u000aA\'\u0042\u0022\u005c\\"/',
    literals: [null, true, false]
  }
  t.equal(canonicalJson(input),
    '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}')
})

t.test('RFC 8785 §3.2.3: keys sorted by UTF-16 code units', async (t) => {
  const input = {
    '\u20ac': 'Euro Sign',
    '\r': 'Carriage Return',
    '\ufb33': 'Hebrew Letter Dalet With Dagesh',
    1: 'One',
    '\ud83d\ude00': 'Emoji: Grinning Face',
    '\u0080': 'Control',
    '\u00f6': 'Latin Small Letter O With Diaeresis'
  }
  const keys = Object.keys(JSON.parse(canonicalJson(input)) as Record<string, unknown>)
  // JSON.parse puts the integer-like key first on its own, so read the order from the text instead
  const text = canonicalJson(input)
  const order = ['\\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33'].map((k) => text.indexOf(`"${k}":`))
  t.ok(order.every((pos) => pos >= 0), 'every key is present unescaped (\\r escaped)')
  t.same(order, order.slice().sort((a, b) => a - b), 'in code-unit order')
  t.equal(keys.length, 7)
})

t.test('keys sort recursively and insertion order does not matter', async (t) => {
  const a = { b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } }
  const b = { a: { c: 'x', d: [3, { y: 2, z: 1 }] }, b: 1 }
  t.equal(canonicalJson(a), '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}')
  t.equal(canonicalJson(a), canonicalJson(b))
  t.not(canonicalJson([1, 2]), canonicalJson([2, 1]), 'array order is kept')
})

t.test('numbers use the ECMAScript shortest form', async (t) => {
  t.equal(canonicalJson(1e21), '1e+21')
  t.equal(canonicalJson(1e20), '100000000000000000000')
  t.equal(canonicalJson(1.0), '1')
  t.equal(canonicalJson(-0), '0')
  t.equal(canonicalJson(1e-7), '1e-7')
  t.equal(canonicalJson(0.000001), '0.000001')
  t.equal(canonicalJson(-1.5), '-1.5')
  t.equal(canonicalJson(0.1 + 0.2), '0.30000000000000004')
})

t.test('strings: non-ASCII left as is, only required escapes', async (t) => {
  t.equal(canonicalJson('Ủy ban nhân dân tỉnh Lào Cai'), '"Ủy ban nhân dân tỉnh Lào Cai"')
  t.equal(canonicalJson('😀'), '"😀"')
  t.equal(canonicalJson('\u2028\u2029'), '"\u2028\u2029"', 'line/paragraph separators are not escaped')
  t.equal(canonicalJson('a\u001fb\tc\bd\fe'), '"a\\u001fb\\tc\\bd\\fe"', 'controls escaped, short forms where defined')
  t.equal(canonicalJson('/'), '"/"', 'solidus not escaped')
})

t.test('no whitespace, literals, empty containers', async (t) => {
  t.equal(canonicalJson({ a: [], b: {}, c: null, d: true, e: false }), '{"a":[],"b":{},"c":null,"d":true,"e":false}')
  t.equal(canonicalJson([{ a: 1 }, [2, [3]]]), '[{"a":1},[2,[3]]]')
})

t.test('undefined members are dropped; toJSON is honoured', async (t) => {
  t.equal(canonicalJson({ a: undefined, b: 1 }), '{"b":1}')
  t.equal(canonicalJson({ d: new Date(0) }), '{"d":"1970-01-01T00:00:00.000Z"}')
})

t.test('values with no JSON form are refused', async (t) => {
  t.throws(() => canonicalJson(undefined), TypeError)
  t.throws(() => canonicalJson(() => 1), { message: 'value has no JSON form' })
  t.throws(() => canonicalJson(Number.NaN))
  t.throws(() => canonicalJson(Number.POSITIVE_INFINITY))
  t.throws(() => canonicalJson(10n))
})

t.test('the output parses back to an equal value', async (t) => {
  const v = { subject: 'Về việc…', n: [1, 2.5, -3e-9], nested: { ok: true, none: null } }
  t.same(JSON.parse(canonicalJson(v)), v)
})
