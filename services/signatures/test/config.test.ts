import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { loadConfig } from '@lienthong/platform'
import { SignaturesConfig } from '../src/config.ts'

const base = { DATABASE_URL: 'postgres://localhost/x' }
const key = randomBytes(32).toString('base64')

function configError (env: Record<string, string>): string {
  try {
    loadConfig(SignaturesConfig, { ...base, ...env })
  } catch (err) {
    return (err as Error).message
  }
  throw new Error('expected a configuration error')
}

t.test('MASTER_KEYS is parsed into a key set and the raw text is not kept', async (t) => {
  const config = loadConfig(SignaturesConfig, { ...base, MASTER_KEYS: `mk2:${key},mk1:${randomBytes(32).toString('base64')}` })
  t.equal(config.PORT, 7104)
  t.equal(config.masterKeys.currentId, 'mk2')
  t.notOk('MASTER_KEYS' in config)
  t.notMatch(JSON.stringify(config), key, 'logging the config by mistake shows no key')
})

t.test('MASTER_KEY_FILE is read instead', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sig-config-'))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  const file = join(dir, 'master-keys')
  writeFileSync(file, `from-file:${key}\n`)
  t.equal(loadConfig(SignaturesConfig, { ...base, MASTER_KEY_FILE: file }).masterKeys.currentId, 'from-file')
  t.match(configError({ MASTER_KEY_FILE: join(dir, 'missing') }), /MASTER_KEY_FILE: cannot read .*missing: ENOENT/)
})

t.test('a clear error at start when the master keys are missing or bad', async (t) => {
  t.match(configError({}), /invalid configuration:\n {2}MASTER_KEYS: required/)
  const short = randomBytes(31).toString('base64')
  const message = configError({ MASTER_KEYS: `mk:${short}` })
  t.match(message, /MASTER_KEYS: master key mk is 31 bytes; it must be 32/)
  t.notMatch(message, short)
  t.match(configError({ MASTER_KEYS: `mk:${key}`, MASTER_KEY_FILE: '/etc/x' }), /not both/)
})
