// Preloaded into a service (`BENCH_SERVICE_NODE_OPTIONS="--import <this file>"`, since --cpu-prof
// is not allowed in NODE_OPTIONS): profiles the process and writes a .cpuprofile, which Chrome's
// DevTools open, into CPU_PROFILE_DIR. The first SIGWINCH (which services leave alone, unlike SIGUSR2) starts the profiler and the next stops
// it and writes the profile, so a bench profiles its load and not the start-up before it.
import { Session } from 'node:inspector'
import { mkdirSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'

const dir = process.env.CPU_PROFILE_DIR ?? 'cpu-profiles'
const name = basename(process.argv[1] ?? 'node', '.mjs')
const session = new Session()
session.connect()
session.post('Profiler.enable')
session.post('Profiler.setSamplingInterval', { interval: 250 })
let running = false
let part = 0
process.on('SIGWINCH', () => {
  if (!running) {
    running = true
    session.post('Profiler.start')
    return
  }
  running = false
  // the session answers synchronously, on this thread
  session.post('Profiler.stop', (err, result) => {
    if (err !== null) return
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, `${name}-${process.pid}-${++part}.cpuprofile`), JSON.stringify(result.profile))
  })
})
