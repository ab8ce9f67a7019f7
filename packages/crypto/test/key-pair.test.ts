import { execFile } from 'node:child_process'
import { sign, verify } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t from 'tap'
import { jwkThumbprint, newKeyPair } from '../src/index.ts'

t.test('a new pair signs and verifies, and its JWK is the public half only', async (t) => {
  for (const curve of ['ed25519', 'p256'] as const) {
    const pair = newKeyPair(curve)
    const data = Buffer.from('công văn')
    t.ok(verify(null, data, pair.publicKey, sign(null, data, pair.privateKey)), curve)
    t.same(Object.keys(pair.publicJwk).sort(), curve === 'ed25519' ? ['crv', 'kty', 'x'] : ['crv', 'kty', 'x', 'y'])
    t.equal(jwkThumbprint(pair.publicJwk as Record<string, unknown>), jwkThumbprint(pair.publicKey.export({ format: 'jwk' }) as Record<string, unknown>))
  }
  t.not(newKeyPair().publicJwk.x, newKeyPair().publicJwk.x)
})

// Node 20's generateKeyPairSync + export stops the process within a few thousand keys (the export
// waits on a lock the collected generation job takes). Run in a child, so a hang is a timeout here
// instead of a stuck test file.
t.test('20,000 pairs made and exported one after the other never hang the process', async (t) => {
  const module = fileURLToPath(new URL('../src/key-pair.ts', import.meta.url))
  const script = `import { newKeyPair } from ${JSON.stringify(module)}
let n = 0
for (let i = 0; i < 20000; i++) { const p = newKeyPair(); p.privateKey.export({ format: 'jwk' }); p.publicKey.export({ format: 'jwk' }); n++ }
console.log(n)`
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 60_000, killSignal: 'SIGKILL' })
  t.equal(stdout.trim(), '20000')
})
