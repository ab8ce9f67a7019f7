import t from 'tap'
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEFAULT_SEND_POLICY } from '@lienthong/contracts'
import { loadConfig } from '@lienthong/platform'
import { RoutingConfig } from '../src/config.ts'

const env = { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' }

t.test('without POLICY_FILE the default policy applies; RECIPIENTS_MAX defaults to 10,000', async (t) => {
  const config = loadConfig(RoutingConfig, env)
  t.same(config.sendPolicy, DEFAULT_SEND_POLICY)
  t.equal(config.RECIPIENTS_MAX, 10_000)
  t.same(loadConfig(RoutingConfig, { ...env, POLICY_FILE: '' }).sendPolicy, DEFAULT_SEND_POLICY, 'an empty setting is no setting')
  t.equal(loadConfig(RoutingConfig, { ...env, RECIPIENTS_MAX: '3' }).RECIPIENTS_MAX, 3)
  t.throws(() => loadConfig(RoutingConfig, { ...env, RECIPIENTS_MAX: '0' }), /RECIPIENTS_MAX/)
  t.throws(() => loadConfig(RoutingConfig, { ...env, RECIPIENTS_MAX: 'many' }), /RECIPIENTS_MAX/)
})

t.test('a policy file replaces the default', async (t) => {
  const file = join(t.testdir(), 'policy.json')
  const policy = { rules: [{ name: 'anyone-to-anyone', effect: 'allow', recipient: { within: 'anywhere' } }] }
  writeFileSync(file, JSON.stringify(policy))
  t.same(loadConfig(RoutingConfig, { ...env, POLICY_FILE: file }).sendPolicy, policy)
})

t.test('a bad policy file is a configuration error naming POLICY_FILE and the problem', async (t) => {
  const dir = t.testdir({ 'bad.json': JSON.stringify({ rules: [{ name: 'x', effect: 'maybe', recipient: { within: 'root' } }] }) })
  t.throws(() => loadConfig(RoutingConfig, { ...env, POLICY_FILE: join(dir, 'bad.json') }), /invalid configuration:\n {2}POLICY_FILE: the policy file .*bad\.json is not a valid sending policy: rules\.0\.effect/)
  t.throws(() => loadConfig(RoutingConfig, { ...env, POLICY_FILE: join(dir, 'none.json') }), /POLICY_FILE: cannot read the policy file/)
})

t.test('routing refuses to start with a bad policy file, and says why', async (t) => {
  const dir = t.testdir({ 'bad.json': '{"rules": [' })
  const main = fileURLToPath(new URL('../src/main.ts', import.meta.url))
  const run = spawnSync(process.execPath, ['--import', 'tsx', main], {
    env: { ...process.env, ...env, POLICY_FILE: join(dir, 'bad.json'), NATS_URL: 'nats://127.0.0.1:1' },
    encoding: 'utf8',
    timeout: 60_000
  })
  t.not(run.status, 0, 'exits with an error')
  t.match(run.stderr, /POLICY_FILE: the policy file .*bad\.json is not JSON/)
})
