import { request } from './http.ts'
import type { TestStack } from './stack.ts'

/** An agency's mailbox: where the gateway mails what arrives for it. */
export async function registerAgencyMailbox (stack: TestStack, code: string, address: string | null): Promise<void> {
  const answer = await request('PATCH', `${stack.registry.url}/v1/agencies/${code}`, { token: await stack.adminToken(), json: { endpoints: { mailAddress: address } } })
  if (answer.status !== 200) throw new Error(`mailbox of ${code}: ${answer.status} ${JSON.stringify(answer.body)}`)
}

/** An official's login at the SMTP door, issued by registry for their agency. */
export async function issueOfficialLogin (stack: TestStack, code: string, address: string, name: string): Promise<{ username: string, password: string }> {
  const answer = await request('POST', `${stack.registry.url}/v1/agencies/${code}/mail-credentials`, { token: await stack.adminToken(), json: { address, name } })
  if (answer.status !== 201) throw new Error(`login of ${address}: ${answer.status} ${JSON.stringify(answer.body)}`)
  return { username: answer.body.username, password: answer.body.password }
}

/** The directory reaches the gateway through NATS: wait until its mirror has the change. */
export async function settle (ms = 1_500): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms))
}
