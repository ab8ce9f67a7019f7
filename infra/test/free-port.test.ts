import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import t from 'tap'
import { freePort } from '../src/service-process.ts'

t.test('a free port is under the ephemeral range, so no outgoing connection can take it first, and can be listened on', async (t) => {
  const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number)
  const ports = await Promise.all(Array.from({ length: 20 }, async () => await freePort()))
  for (const port of ports) t.ok(port < low!, `${port} < ${low}`)
  const server = createServer()
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(ports[0], '127.0.0.1', resolve) })
  await new Promise((resolve) => server.close(resolve))
})
