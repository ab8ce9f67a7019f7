import { readFileSync } from 'node:fs'
import { webcrypto, randomBytes } from 'node:crypto'
import * as x509 from '@peculiar/x509'

export interface TlsMaterial { key: string, cert: string }

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }

/**
 * STARTTLS needs a certificate before the first client. A deployment gives its own (SMTP_TLS_CERT
 * and SMTP_TLS_KEY); without one, a self-signed certificate for the mail domain is made in memory
 * at each start: the connection is still encrypted, and a client is told to accept it once.
 */
export async function tlsMaterial (opts: { certFile?: string, keyFile?: string, domain: string }): Promise<TlsMaterial> {
  if (opts.certFile !== undefined && opts.keyFile !== undefined) {
    return { cert: readFileSync(opts.certFile, 'utf8'), key: readFileSync(opts.keyFile, 'utf8') }
  }
  const keys = await webcrypto.subtle.generateKey(ECDSA, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair
  const now = Date.now()
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomBytes(8).toString('hex'),
    name: `CN=${opts.domain}`,
    notBefore: new Date(now - 5 * 60_000),
    notAfter: new Date(now + 365 * 86_400_000),
    keys,
    signingAlgorithm: ECDSA,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: opts.domain }, { type: 'dns', value: 'localhost' }, { type: 'ip', value: '127.0.0.1' }])]
  })
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)
  const key = `-----BEGIN PRIVATE KEY-----\n${Buffer.from(pkcs8).toString('base64').replace(/(.{64})/g, '$1\n').trim()}\n-----END PRIVATE KEY-----\n`
  return { cert: cert.toString('pem'), key }
}
