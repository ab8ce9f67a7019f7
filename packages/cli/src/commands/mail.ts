import { parseArgs } from 'node:util'
import { isAgencyCode } from '@lienthong/contracts'
import { operatorCredentials, requireStack } from '../local-stack.ts'
import { mailClientSettings, smtpPort } from '../mail-client-settings.ts'
import { issueMailCredentials, issueToken, setAgencyMailbox } from '../registry-admin.ts'

const USAGE = `usage: lienthong mail agency <code> <address>
       lienthong mail official <code> <address> --name "Nguyễn Văn A"
  agency    set the agency's mailbox, where the mail gateway delivers the documents it receives
  official  issue an official's login to the mail gateway and print it with the mail client's
            settings; issuing again gives a new password (the old one stops at once)`

// The registry checks the address fully; this only catches an argument in the wrong place.
const looksLikeAddress = (s: string | undefined): s is string => s !== undefined && /^[^\s@]+@[^\s@]+$/.test(s)

/** `lienthong mail agency | official`: an agency's mailbox and its officials' mail credentials. */
export async function mailCommand (args: string[]): Promise<void> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { name: { type: 'string' } } })
  const [sub, code, address, ...rest] = positionals
  if ((sub !== 'agency' && sub !== 'official') || rest.length > 0) throw new Error(USAGE)
  if (code === undefined || !isAgencyCode(code)) throw new Error(`${code ?? 'the agency code'} is not an agency code\n${USAGE}`)
  if (!looksLikeAddress(address)) throw new Error(`${address ?? 'the address'} is not a mail address\n${USAGE}`)
  if (sub === 'agency') {
    if (values.name !== undefined) throw new Error(`--name goes with mail official\n${USAGE}`)
    const registry = requireStack().urls.registry
    const agency = await setAgencyMailbox(registry, await issueToken(registry, operatorCredentials()), code, address)
    process.stdout.write(`${agency.code} now receives documents by mail at ${agency.endpoints.mailAddress ?? address}\n`)
    return
  }
  const name = values.name?.trim()
  if (name === undefined || name === '') throw new Error(`the official's full name is required: --name "Nguyễn Văn A"\n${USAGE}`)
  const port = smtpPort()
  const { urls } = requireStack()
  const issued = await issueMailCredentials(urls.registry, await issueToken(urls.registry, operatorCredentials()), code, { address, name })
  // SMTP listens on the gateway's host; a stack from before the gateway ran everything on the registry's.
  process.stdout.write(mailClientSettings(issued, { host: new URL(urls.mail ?? urls.registry).hostname, port }))
}
