// What a process has used, read from /proc: resident memory now and at its peak, CPU time.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'

/** VmRSS and VmHWM of a process in MB; NaN once it is gone. */
export function memory (pid: number): { rssMb: number, peakMb: number } {
  let status = ''
  try { status = readFileSync(`/proc/${pid}/status`, 'utf8') } catch { /* gone */ }
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN)
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 }
}

/** CPU seconds (user + system) a process has used so far; 0 once it is gone. */
export function cpuSeconds (pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch { return 0 }
}

/** Resets the peak (VmHWM) to the present size, so the peak read later is from now on. */
export function resetPeak (pid: number): void {
  try { writeFileSync(`/proc/${pid}/clear_refs`, '5') } catch { /* not allowed here: the peak then counts from the start */ }
}

/** The processes whose name starts with `name` and whose command line has `text`. */
export function processesWith (name: string, text: string): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith(name) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').includes(text)
    } catch { return false }
  })
}

/**
 * CPU seconds so far of the servers under a stack: PostgreSQL's backends for its database (a
 * backend's title names the database) and the nats-server on its port.
 */
export function serverCpuSeconds (databaseUrl: string, natsUrl: string): { postgres: number, nats: number } {
  const database = new URL(databaseUrl).pathname.slice(1)
  const natsPort = new URL(natsUrl).port
  const sum = (pids: number[]): number => pids.reduce((a, pid) => a + cpuSeconds(pid), 0)
  return { postgres: sum(processesWith('postgres', ` ${database} `)), nats: sum(processesWith('nats-server', natsPort)) }
}
