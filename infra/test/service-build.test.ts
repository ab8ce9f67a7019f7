import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import t from 'tap'
import { PROGRAMS_BUILT_IN, buildPrograms, builtProgram } from '../src/service-build.ts'

t.test('a build made once for the suite is used by the processes given it; without one, a process builds its own', async (t) => {
  const suite = mkdtempSync(join(tmpdir(), 'lienthong-build-test-'))
  t.teardown(() => { rmSync(suite, { recursive: true, force: true }) })
  await buildPrograms(['signatures'], suite)
  t.same(readdirSync(suite).filter((f) => f.endsWith('.mjs')), ['signatures.mjs'], 'only the programs asked for')

  const before = process.env[PROGRAMS_BUILT_IN]
  t.teardown(() => { if (before === undefined) delete process.env[PROGRAMS_BUILT_IN]; else process.env[PROGRAMS_BUILT_IN] = before })
  process.env[PROGRAMS_BUILT_IN] = suite
  t.equal(await builtProgram('signatures'), join(suite, 'signatures.mjs'), 'the suite\u2019s bundle, not a new one')

  // audit is not in the suite's directory: built here, as when one file runs alone.
  const own = await builtProgram('audit')
  t.not(dirname(own), suite)
  t.ok(existsSync(own), 'a bundle of its own')
  t.equal(await builtProgram('audit'), own, 'built once per process')
})
