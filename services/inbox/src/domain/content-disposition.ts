/**
 * `Content-Disposition: attachment` with the file name for every client (RFC 6266): `filename*`
 * carries it exactly in UTF-8 (RFC 8187), `filename` an ASCII stand-in for old clients —
 * Vietnamese letters without their marks (`Quyết định` → `Quyet dinh`), anything else `_`.
 */
export function contentDisposition (name: string): string {
  return `attachment; filename="${asciiFallback(name)}"; filename*=UTF-8''${encodeExtValue(name)}`
}

export function asciiFallback (name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .replace(/[^\x20-\x7e]|["\\%]/g, '_')
}

/** RFC 8187 `value-chars`: attr-char as is, every other byte of the UTF-8 form as %XX. */
export function encodeExtValue (value: string): string {
  let out = ''
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte)
    out += /[A-Za-z0-9!#$&+\-.^_`|~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}
