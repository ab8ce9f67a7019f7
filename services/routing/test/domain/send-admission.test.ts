import t from 'tap'
import { errorFactory } from '@lienthong/platform'
import { SendAdmission } from '../../src/domain/send-admission.ts'

const fail = errorFactory('routing')

t.test('sends beyond the limit are refused with RTE_UNAVAILABLE before they start; room frees as sends end', async (t) => {
  const admission = new SendAdmission(2)
  const started: number[] = []
  const release: Array<() => void> = []
  const send = (n: number) => async (): Promise<number> => {
    started.push(n)
    await new Promise<void>((resolve) => { release.push(resolve) })
    return n
  }
  const first = admission.admit(fail, send(1))
  const second = admission.admit(fail, send(2))
  t.equal(admission.inFlight, 2)
  await t.rejects(admission.admit(fail, send(3)), { code: 'RTE_UNAVAILABLE', status: 503 })
  t.same(started, [1, 2], 'the refused send never ran')
  release.shift()!()
  t.equal(await first, 1)
  const third = admission.admit(fail, send(4))
  t.equal(admission.inFlight, 2, 'the freed place is taken')
  release.shift()!()
  release.shift()!()
  t.same(await Promise.all([second, third]), [2, 4])
  t.equal(admission.inFlight, 0)
})

t.test('a send that fails gives its place back', async (t) => {
  const admission = new SendAdmission(1)
  await t.rejects(admission.admit(fail, async () => { throw fail('UNKNOWN_RECIPIENT', 'x') }), { code: 'RTE_UNKNOWN_RECIPIENT' })
  t.equal(admission.inFlight, 0)
  t.equal(await admission.admit(fail, async () => 'ok'), 'ok')
})
