import t from 'tap'
import { Kvm } from '@nats-io/kv'
// by file, not the package's index, which loads the whole service framework (see test/harness/stack.ts)
import { Directory, directoryKey } from '../../packages/platform/src/directory.ts'
import { connectNats } from '../../packages/platform/src/nats.ts'
import type { DirectoryEntry } from '@lienthong/contracts'
import { createTestNats } from '../harness/test-nats.ts'
import { eventually } from '../harness/http.ts'

const entry = (version: number, status: DirectoryEntry['status'] = 'active'): DirectoryEntry => ({
  code: '000.00.31.H38', name: 'Ủy ban nhân dân thành phố Lào Cai', level: 'district', kind: 'people_committee',
  parent: '000.00.00.H38', status, statusSince: new Date().toISOString(), endpoints: { webhookUrl: null, mailAddress: null }, version
})

t.test('the directory mirror: newest version wins, unreadable entries are forgotten, new fields are fine', async (t) => {
  const nats = await createTestNats()
  t.teardown(async () => { await nats.dispose() })
  const nc = await connectNats(nats.url, 'mirror-test')
  t.teardown(async () => { await nc.close() })
  const kv = await new Kvm(nc).create('directory', { history: 1 })
  const key = directoryKey('000.00.31.H38')
  t.equal(key, 'H38.31.00.000', 'bucket keys are root-first')
  await kv.put(key, JSON.stringify(entry(5)))

  const mirror = new Directory()
  await mirror.start(nc)
  t.teardown(() => { mirror.stop() })
  t.equal(mirror.get('000.00.31.H38')?.version, 5, 'looked up by code')

  await kv.put(key, JSON.stringify(entry(4, 'suspended')))
  await kv.put(key, JSON.stringify({ ...entry(6, 'suspended'), addedLater: { any: 'thing' } }))
  await eventually(async () => mirror.get('000.00.31.H38')?.version === 6 ? true : undefined, 2_000, 'version 6')
  t.equal(mirror.get('000.00.31.H38')?.status, 'suspended', 'a newer registry\u2019s extra fields do not stop an older reader')

  await kv.put(key, JSON.stringify(entry(7)))
  await kv.put(key, '{"not": "an entry"}')
  await eventually(async () => mirror.get('000.00.31.H38') === undefined ? true : undefined, 2_000, 'the unreadable entry forgotten')
  t.pass('a stale entry is not kept when the new one cannot be read')
})
