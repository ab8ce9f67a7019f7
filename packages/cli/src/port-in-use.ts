import { connect } from 'node:net'

/** Whether something accepts connections on 127.0.0.1:port. */
export async function portInUse (port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.once('connect', () => { socket.destroy(); resolve(true) })
    socket.once('error', () => { resolve(false) })
  })
}
