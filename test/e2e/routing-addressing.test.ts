import t, { type Test } from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { connect } from '@nats-io/transport-node'
import { jetstreamManager } from '@nats-io/jetstream'
import { DEFAULT_SEND_POLICY, STREAMS } from '@lienthong/contracts'
import { laocaiDirectory } from '@lienthong/seeds'
import { startStack, type TestStack } from '../harness/stack.ts'
import { eventually, request, type Answer } from '../harness/http.ts'

const PROVINCE = '000.00.00.H38'
const DEPT = '000.00.01.H38'
const DEPT2 = '000.00.02.H38'
const D31 = '000.00.31.H38'
const D32 = '000.00.32.H38'
const D33 = '000.00.33.H38' // suspended below
const D34 = '000.00.34.H38' // retired below
const C1_31 = '000.01.31.H38'
const C2_31 = '000.02.31.H38'
const C1_32 = '000.01.32.H38'
const V1_C1_31 = '001.01.31.H38'
const V2_C1_31 = '002.01.31.H38'
const V1_C2_31 = '001.02.31.H38'

// A slice of the real Lào Cai directory, small enough for every agency (villages too) to be in
// custody and for a limit of 3 recipients to leave every group kind room to be sent.
const KEEP = new Set([PROVINCE, DEPT, DEPT2, D31, D32, D33, D34, C1_31, C2_31, C1_32, V1_C1_31, V2_C1_31, V1_C2_31])
const agencies = laocaiDirectory().filter((a) => KEEP.has(a.code))

let n = 100
const document = (): Record<string, unknown> => ({ number: String(++n), notation: 'UBND-VP', type: 'Công văn', subject: 'Về việc thử gửi theo nhóm', issuedAt: '2026-11-26' })

interface Traces { documents: number, deliveries: number, lastSeq: number }

t.test('addressing, the sending policy and bad recipients, end to end', async (t) => {
  t.equal(agencies.length, KEEP.size, 'every chosen code is in the seed')
  // The default policy with one deny rule before it: POLICY_FILE is read by the real service.
  const policyFile = join(t.testdir(), 'policy.json')
  const deny = { name: 'no-department-to-villages', effect: 'deny', sender: { level: ['province'], depth: [2] }, recipient: { within: 'root', level: ['village'] } }
  writeFileSync(policyFile, JSON.stringify({ rules: [deny, ...DEFAULT_SEND_POLICY.rules] }))
  const stack = await startStack(t, { agencies, custody: 'all', env: { routing: { RECIPIENTS_MAX: '3', POLICY_FILE: policyFile } } })
  const nc = await connect({ servers: stack.nats.url })
  t.teardown(async () => { await nc.close() })
  const jsm = await jetstreamManager(nc)
  const tokens = new Map<string, string>()
  const token = async (code: string): Promise<string> => {
    if (!tokens.has(code)) tokens.set(code, await stack.tokenFor(code))
    return tokens.get(code) as string
  }
  const send = async (from: string, to: unknown, doc = document()): Promise<Answer> =>
    await request('POST', `${stack.routing.url}/v1/documents`, { token: await token(from), json: { to, document: doc } })

  const traces = async (): Promise<Traces> => {
    const [d] = await stack.sql`select count(*)::int as n from routing.documents`
    const [r] = await stack.sql`select count(*)::int as n from routing.deliveries`
    const info = await jsm.streams.info(STREAMS.deliveries.name)
    return { documents: d!.n as number, deliveries: r!.n as number, lastSeq: info.state.last_seq }
  }
  /** a refusal with this status and code that left no document and no delivery message behind */
  const refused = async (t: Test, attempt: () => Promise<Answer>, status: number, code: string): Promise<Answer> => {
    const before = await traces()
    const answer = await attempt()
    t.equal(answer.status, status, `status ${status}`)
    t.match(answer.type, /^application\/problem\+json/)
    t.equal(answer.body.code, code)
    t.type(answer.body.detail, 'string')
    t.same(await traces(), before, 'nothing stored, nothing published')
    return answer
  }

  await t.test('each group kind is resolved at send time, answered in the 202 and shown on the document', async (t) => {
    const cases: Array<[string, string, unknown, string[]]> = [
      ['children', D31, { group: 'children' }, [C1_31, C2_31]],
      ['children of another agency', PROVINCE, { group: 'children', of: C1_31 }, [V1_C1_31, V2_C1_31]],
      ['subtree, one level only', D31, { group: 'subtree', level: 'village' }, [V1_C1_31, V2_C1_31, V1_C2_31]],
      ['subtree of another agency', D31, { group: 'subtree', of: C1_31 }, [V1_C1_31, V2_C1_31]],
      ['parent', V1_C1_31, { group: 'parent' }, [C1_31]],
      ['peers', C1_31, { group: 'peers' }, [C2_31]],
      ['peers of one level', D31, { group: 'peers', level: 'district' }, [D32, D33, D34]],
      // The commune may write to its district's communes and its own villages, not to C2's village.
      ['a group the policy narrows', C1_31, { group: 'subtree', of: D31 }, [C2_31, V1_C1_31, V2_C1_31]]
    ]
    let delivered = 0
    for (const [name, from, to, expected] of cases) {
      await t.test(name, async (t) => {
        const sent = await send(from, to)
        t.equal(sent.status, 202, JSON.stringify(sent.body))
        t.same(sent.body.recipients, expected.slice().sort(), 'the resolved list in the answer')
        const shown = await request('GET', `${stack.routing.url}/v1/documents/${encodeURIComponent(sent.body.id)}`, { token: await token(from) })
        t.equal(shown.status, 200)
        t.same(shown.body.recipients.map((r: { recipient: string }) => r.recipient).sort(), expected.slice().sort(), 'and on the document')
        const [row] = await stack.sql`select recipients from routing.documents where id = ${sent.body.id}`
        t.same(row!.recipients, sent.body.recipients, 'stored with the document')
        delivered += expected.length
      })
    }
    await eventually(async () => {
      const [i] = await stack.sql`select count(*)::int as n from inbox.items`
      return i!.n === delivered ? true : undefined
    }, 30_000, 'every recipient\u2019s copy in its inbox')
  })

  await t.test('the policy refuses and names the rule; nothing is stored or published', async (t) => {
    const village = await refused(t, async () => await send(V1_C1_31, [D31]), 403, 'RTE_POLICY_REFUSED')
    t.equal(village.body.rule, 'no-rule-allows')
    t.same(village.body.recipients, [D31])
    t.equal(village.body.refusedCount, 1)
    t.same(village.body.rulesConsidered, ['village-to-own-commune', 'village-to-sibling-villages'])
    t.match(village.body.detail, /does not let 001\.01\.31\.H38 send to 000\.00\.31\.H38: no-rule-allows \(rules for this sender: village-to-own-commune, village-to-sibling-villages\)/)

    const commune = await refused(t, async () => await send(C1_31, [C2_31, C1_32]), 403, 'RTE_POLICY_REFUSED')
    t.same(commune.body.recipients, [C1_32], 'only the refused recipient is named')
    t.equal(commune.body.rule, 'no-rule-allows')

    const group = await refused(t, async () => await send(V1_C1_31, { group: 'children', of: D32 }), 403, 'RTE_POLICY_REFUSED')
    t.same(group.body.recipients, [C1_32], 'a group the policy leaves no one of')
    t.match(group.body.detail, /^the group /)

    const denied = await refused(t, async () => await send(DEPT, [C1_31, V1_C1_31]), 403, 'RTE_POLICY_REFUSED')
    t.equal(denied.body.rule, 'no-department-to-villages', 'a deny rule of the POLICY_FILE is named')
    t.same(denied.body.recipients, [V1_C1_31])
    t.match(denied.body.detail, /rule no-department-to-villages/)
    t.equal((await send(DEPT, [C1_31])).status, 202, 'the same department may still write to the commune')
  })

  await t.test('bad recipients are refused with a stable code; nothing is stored or published', async (t) => {
    const empty = await refused(t, async () => await send(D31, { group: 'children', of: V1_C1_31 }), 422, 'RTE_EMPTY_GROUP')
    t.match(empty.body.detail, /names no active agency/)

    const list = await refused(t, async () => await send(PROVINCE, [D31, D32, D33, C1_31]), 422, 'RTE_TOO_MANY_RECIPIENTS')
    t.equal(list.body.count, 4)
    t.equal(list.body.max, 3)
    t.match(list.body.detail, /4 recipients, more than the 3/)
    const subtree = await refused(t, async () => await send(D31, { group: 'subtree' }), 422, 'RTE_TOO_MANY_RECIPIENTS')
    t.equal(subtree.body.count, 5, 'the limit applies to the resolved group')

    const admin = await stack.adminToken()
    t.equal((await request('POST', `${stack.registry.url}/v1/agencies/${D33}/suspend`, { token: admin })).body.status, 'suspended')
    t.equal((await request('POST', `${stack.registry.url}/v1/agencies/${D34}/retire`, { token: admin })).body.status, 'retired')
    // Wait for routing's directory mirror with a probe that stores nothing either way: for a
    // village the policy refuses an active district, the directory check an inactive one.
    for (const code of [D33, D34]) {
      await eventually(async () => {
        const probe = await send(V1_C1_31, [code])
        return probe.body.code === 'RTE_INACTIVE_RECIPIENT' ? true : undefined
      }, 15_000, `routing sees ${code} inactive`)
    }
    const suspended = await refused(t, async () => await send(PROVINCE, [D31, D33]), 422, 'RTE_INACTIVE_RECIPIENT')
    t.same(suspended.body.recipients, [D33])
    const retired = await refused(t, async () => await send(PROVINCE, [D34, D32]), 422, 'RTE_INACTIVE_RECIPIENT')
    t.same(retired.body.recipients, [D34])

    const peers = await send(D31, { group: 'peers', level: 'district' })
    t.equal(peers.status, 202)
    t.same(peers.body.recipients, [D32], 'a group leaves the suspended and the retired out')
  })
})
