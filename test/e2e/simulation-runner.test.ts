import t from 'tap'
import { laocai2023, planSimulation, runSimulation } from '@lienthong/cli'
import { startStack } from '../harness/stack.ts'
import { request } from '../harness/http.ts'

t.test('simulate: a small Lào Cai run ends with every work file closed, on the channels planned', async (t) => {
  const scenario = laocai2023()
  const plan = planSimulation(scenario, { files: 80, seed: 'runner' })
  // The villages the plan uses are put in custody with the rest, so their DMS steps are signed as everyone's.
  const villages = [...new Set([...plan.sends.map((s) => s.sender), ...plan.files.map((f) => f.agency)])].filter((c) => c.split('.')[0] !== '000')
  const custody = [...scenario.directory.filter((a) => a.level !== 'village').map((a) => a.code), ...villages]
  const stack = await startStack(t, { custody })
  const lines: string[] = []
  const result = await runSimulation(plan, { routingUrl: stack.routing.url, inboxUrl: stack.inbox.url, token: async (code) => await stack.tokenFor(code) }, {
    concurrency: 8, progress: (line) => { lines.push(line) }
  })
  t.equal(result.workFiles.size, 80, 'a work file for every planned file')
  t.equal(result.documents, plan.sends.length)
  t.equal(result.steps, plan.files.reduce((n, f) => n + f.steps.length, 0), 'every planned step recorded')
  t.match(lines.join('\n'), /tokens: \d+\/\d+[\s\S]*sending: \d+\/\d+[\s\S]*accepting: \d+\/\d+[\s\S]*working: \d+\/\d+/, 'progress for each phase')

  for (const file of plan.files) {
    const id = result.workFiles.get(file.key)!
    const answer = await request('GET', `${stack.inbox.url}/v1/work-files/${id}`, { token: await stack.tokenFor(file.agency) })
    t.equal(answer.status, 200)
    const wf = answer.body
    const expected = [...(file.origin === 'dms' ? [{ code: '03', channel: file.openChannel }] : []), ...file.steps]
    const recorded = wf.steps.filter((s: { code: string }) => ['03', '04', '05', '06'].includes(s.code)).map((s: { code: string, channel: string }) => ({ code: s.code, channel: s.channel }))
    t.same(recorded, expected, `${file.key} (${file.origin}, ${file.level}) steps as planned`)
    t.equal(wf.state, '06')
    t.not(wf.closedAt, null)
    t.equal(wf.origin, file.origin)
    t.equal(wf.paper, expected.some((s) => s.channel === 'paper'), `${file.key} marked paper as planned`)
  }

  // What the plan says each level comes to, counted from the inbox's own view of the files.
  for (const level of plan.levels) {
    const files = plan.files.filter((f) => f.level === level.level)
    let online = 0
    for (const file of files) {
      const wf = (await request('GET', `${stack.inbox.url}/v1/work-files/${result.workFiles.get(file.key)!}`, { token: await stack.tokenFor(file.agency) })).body
      if (wf.origin === 'exchange' && !wf.paper) online++
    }
    t.equal(online, level.online, `${level.level}: ${online} of ${files.length} fully online, as planned`)
  }
})
