import canonicalizeModule from 'canonicalize'

// canonicalize ships CommonJS typings whose default export TS sees as the module object.
const canonicalize = canonicalizeModule as unknown as (value: unknown) => string | undefined

/** RFC 8785 (JCS) canonical form: the bytes that digests and signatures are made over. */
export function canonicalJson (value: unknown): string {
  const text = canonicalize(value)
  if (text === undefined) throw new TypeError('value has no JSON form')
  return text
}
