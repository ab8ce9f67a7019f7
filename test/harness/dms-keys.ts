import type { KeyObject } from 'node:crypto'
import { buildEnvelope, type Envelope, type EnvelopeSignatures, type KeyRole, type Receipt, type SendDocumentRequest } from '@lienthong/contracts'
import { canonicalJsonBytes, newKeyPair, signDetachedBytesSync } from '@lienthong/crypto'
import { request } from './http.ts'

export interface DmsKey {
  agency: string
  role: KeyRole
  kid: string
  alg: 'EdDSA' | 'ES256'
  privateKey: KeyObject
  publicJwk: Record<string, unknown>
}

/** A key pair as an agency's own DMS holds it, the public half not yet registered. */
export function dmsKey (agency: string, role: KeyRole, kid: string, curve: 'ed25519' | 'p256' = 'ed25519'): DmsKey {
  const { privateKey, publicJwk } = newKeyPair(curve)
  return { agency, role, kid, alg: curve === 'ed25519' ? 'EdDSA' : 'ES256', privateKey, publicJwk: publicJwk as Record<string, unknown> }
}

/** Registers the public half with the registry (as an administrator does for an agency). */
export async function registerKey (registryUrl: string, adminToken: string, key: DmsKey, extra: Record<string, unknown> = {}): Promise<void> {
  const answer = await request('POST', `${registryUrl}/v1/agencies/${key.agency}/keys`, {
    token: adminToken, json: { kid: key.kid, role: key.role, jwk: key.publicJwk, ...extra }
  })
  if (answer.status !== 201) throw new Error(`registering ${key.kid}: ${answer.status} ${JSON.stringify(answer.body)}`)
}

export function sign (value: unknown, key: Pick<DmsKey, 'kid' | 'alg' | 'privateKey'>): string {
  return signDetachedBytesSync(canonicalJsonBytes(value), key)
}

/** The envelope of a request as routing will build it, signed by the DMS's signer and agency keys. */
export function signRequest (
  sender: string,
  body: Pick<SendDocumentRequest, 'to' | 'attachments'> & { document: Record<string, unknown> },
  keys: { signer: Pick<DmsKey, 'kid' | 'alg' | 'privateKey'>, agency: Pick<DmsKey, 'kid' | 'alg' | 'privateKey'> },
  signedAt = new Date().toISOString()
): { envelope: Envelope, signatures: EnvelopeSignatures } {
  const envelope = buildEnvelope({ sender, to: body.to, document: body.document as Envelope['document'], attachments: body.attachments, signedAt })
  return { envelope, signatures: { signedAt, signer: sign(envelope, keys.signer), agency: sign(envelope, keys.agency) } }
}

export function signReceipt (receipt: Receipt, key: Pick<DmsKey, 'kid' | 'alg' | 'privateKey'>): string {
  return sign(receipt, key)
}
