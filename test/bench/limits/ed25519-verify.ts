// How many Ed25519 signatures one core checks a second: the floor under every envelope the inbox
// and routing verify (two signatures each). node:crypto's verify with a KeyObject, as
// verifyDetachedBytesSync does, over what a detached JWS of an envelope signs: its protected
// header, a dot, and the envelope's canonical bytes. Synchronous, so it runs on this process's one
// thread: nothing else of the bench runs meanwhile.
import { sign, verify } from 'node:crypto'
import { canonicalJsonBytes, newKeyPair } from '@lienthong/crypto'
import { warmUpSeconds } from './closed-loop.ts'
import { sampleEnvelope } from './sample-delivery.ts'

export interface Ed25519VerifyLimit { verifies: number, perSecond: number, messageBytes: number }

export function measureEd25519Verify (opts: { seconds: number }): Ed25519VerifyLimit {
  // newKeyPair, not generateKeyPairSync + export: see docs/decisions/019-key-generation.md
  const { privateKey, publicKey } = newKeyPair('ed25519')
  const header = Buffer.from(JSON.stringify({ alg: 'EdDSA', kid: 'agency-000-00-00-H38', b64: false, crit: ['b64'] })).toString('base64url')
  const message = Buffer.concat([Buffer.from(`${header}.`, 'latin1'), canonicalJsonBytes(sampleEnvelope(1))])
  const signature = sign(null, message, privateKey)
  const run = (seconds: number): { verifies: number, elapsed: number } => {
    let verifies = 0
    const started = performance.now()
    const until = started + seconds * 1000
    // the clock read once per hundred: reading it costs a noticeable part of a verify
    while (performance.now() < until) {
      for (let k = 0; k < 100; k++) {
        if (!verify(null, message, publicKey, signature)) throw new Error('the signature made for the measure does not verify')
        verifies++
      }
    }
    return { verifies, elapsed: (performance.now() - started) / 1000 }
  }
  run(warmUpSeconds(opts.seconds))
  const { verifies, elapsed } = run(opts.seconds)
  return { verifies, perSecond: verifies / elapsed, messageBytes: message.length }
}
