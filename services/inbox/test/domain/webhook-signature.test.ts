import t from 'tap'
import { createHmac, timingSafeEqual } from 'node:crypto'
import { newWebhookSecret, signedHeaders, webhookSignature } from '../../src/domain/webhook-signature.ts'

// How a receiver verifies a call, written from the Standard Webhooks specification alone.
function verifies (secret: string, headers: Record<string, string>, body: string): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64')
  const expected = createHmac('sha256', key).update(`${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`).digest()
  return (headers['webhook-signature'] ?? '').split(' ').some((s) => {
    const [version, sig] = s.split(',')
    const given = Buffer.from(sig ?? '', 'base64')
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected)
  })
}

t.test('the published Standard Webhooks test vector', async (t) => {
  // From the specification's reference libraries (standard-webhooks, svix).
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
  const headers = signedHeaders(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')
  t.same(headers, {
    'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
    'webhook-timestamp': '1614265330',
    'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE='
  })
})

t.test('a call signed with a new secret verifies, and nothing else does', async (t) => {
  const secret = newWebhookSecret()
  t.match(secret, /^whsec_[A-Za-z0-9+/]+={0,2}$/)
  t.equal(Buffer.from(secret.slice(6), 'base64').length, 32, '32 random bytes (the specification asks for 24 to 64)')
  t.not(newWebhookSecret(), secret)

  const body = JSON.stringify({ id: '0190f5c2-8a3e-7000-8000-000000000001', type: 'item.arrived', subject: 'Về việc chuyển đổi số' })
  const headers = signedHeaders(secret, '0190f5c2-8a3e-7000-8000-000000000001', 1_780_000_000, body)
  t.ok(verifies(secret, headers, body))
  t.equal(headers['webhook-signature'], `v1,${webhookSignature(secret, '0190f5c2-8a3e-7000-8000-000000000001', 1_780_000_000, body)}`)
  t.notOk(verifies(newWebhookSecret(), headers, body), 'another secret')
  t.notOk(verifies(secret, headers, body.replace('chuyển', 'chuyen')), 'another body')
  t.notOk(verifies(secret, { ...headers, 'webhook-timestamp': '1780000001' }, body), 'another time')
  t.notOk(verifies(secret, { ...headers, 'webhook-id': 'other' }, body), 'another id')
  t.throws(() => webhookSignature('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'id', 1, '{}'), /whsec_/)
})
