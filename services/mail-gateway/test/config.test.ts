import t from 'tap'
import { loadConfig } from '@lienthong/platform'
import { MailGatewayConfig } from '../src/config.ts'

const base = { DATABASE_URL: 'postgres://localhost/x' }

function configError (env: Record<string, string>): string {
  try {
    loadConfig(MailGatewayConfig, { ...base, ...env })
  } catch (err) {
    return (err as Error).message
  }
  throw new Error('expected a configuration error')
}

t.test('defaults: the ports, the domain, the From address, no relay', async (t) => {
  const config = loadConfig(MailGatewayConfig, base)
  t.equal(config.PORT, 7106)
  t.equal(config.SMTP_PORT, 2525)
  t.equal(config.mailDomain, 'lienthong.local')
  t.same(config.mailFrom, { name: 'Liên thông văn bản', address: 'vanban@lienthong.local' })
  t.equal(config.MAIL_RELAY_URL, undefined, 'arrivals wait in the queue until a relay is named')
})

t.test('the domain and the From address are taken in lower case', async (t) => {
  const config = loadConfig(MailGatewayConfig, { ...base, MAIL_DOMAIN: 'LaoCai.GOV.vn', MAIL_FROM_LOCAL: 'VanThu' })
  t.equal(config.mailDomain, 'laocai.gov.vn')
  t.equal(config.mailFrom.address, 'vanthu@laocai.gov.vn')
})

t.test('a MAIL_DOMAIN that is not a domain name is refused, naming it', async (t) => {
  for (const bad of ['localhost', 'lien thong.local', 'lienthong.local.', '-x.vn', 'a@b.vn', 'lienthong..local']) {
    t.match(configError({ MAIL_DOMAIN: bad }), /invalid configuration:\n {2}MAIL_DOMAIN: a domain name such as lienthong\.local/, bad)
  }
})

t.test('MAIL_RELAY_URL empty or blank means no relay; a set one is kept, trimmed', async (t) => {
  t.equal(loadConfig(MailGatewayConfig, { ...base, MAIL_RELAY_URL: '' }).MAIL_RELAY_URL, undefined)
  t.equal(loadConfig(MailGatewayConfig, { ...base, MAIL_RELAY_URL: '   ' }).MAIL_RELAY_URL, undefined)
  t.equal(loadConfig(MailGatewayConfig, { ...base, MAIL_RELAY_URL: ' smtp://relay.laocai.gov.vn:25 ' }).MAIL_RELAY_URL, 'smtp://relay.laocai.gov.vn:25')
})

t.test('the outbound queue\'s settings are numbers from the environment, with floors', async (t) => {
  const config = loadConfig(MailGatewayConfig, { ...base, OUTBOUND_CONCURRENCY: '4', OUTBOUND_RETRY_MS: '250', OUTBOUND_LEASE_MS: '5000' })
  t.equal(config.OUTBOUND_CONCURRENCY, 4)
  t.equal(config.OUTBOUND_RETRY_MS, 250)
  t.equal(config.OUTBOUND_LEASE_MS, 5_000)
  t.match(configError({ OUTBOUND_LEASE_MS: '10' }), /OUTBOUND_LEASE_MS/, 'a lease shorter than a send is refused')
  t.match(configError({ OUTBOUND_CONCURRENCY: '0' }), /OUTBOUND_CONCURRENCY/)
})
