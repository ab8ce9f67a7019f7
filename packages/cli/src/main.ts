import { benchCommand } from './commands/bench.ts'
import { caCommand } from './commands/ca.ts'
import { downCommand } from './commands/down.ts'
import { inboxCommand } from './commands/inbox.ts'
import { ledgerCommand } from './commands/ledger.ts'
import { mailCommand } from './commands/mail.ts'
import { reportCommand } from './commands/report.ts'
import { seedCommand } from './commands/seed.ts'
import { simulateCommand } from './commands/simulate.ts'
import { tokenCommand } from './commands/token.ts'
import { upCommand } from './commands/up.ts'
import { webhooksCommand } from './commands/webhooks.ts'

const COMMANDS: Record<string, (args: string[]) => Promise<void>> = {
  up: upCommand,
  down: downCommand,
  seed: seedCommand,
  token: tokenCommand,
  inbox: inboxCommand,
  simulate: simulateCommand,
  report: reportCommand,
  bench: benchCommand,
  ca: caCommand,
  webhooks: webhooksCommand,
  ledger: ledgerCommand,
  mail: mailCommand
}

const USAGE = `usage: lienthong <command>
  up                      bring the whole local stack up in the foreground (Ctrl-C stops it)
  down                    stop what \`up\` left running, servers included
  seed [laocai|country]   import a seed directory into the running stack
  token <code> [--scope s] print an access token for an agency of the running stack
  token --operator        print the local operator's token (registry:admin inbox:admin)
  inbox <code> [--state s] [--watch]
                          an agency's inbox, newest first; with --watch its events as they come
  simulate --scenario laocai-2023 [--files N] [--seed S] [--concurrency C] [--year YYYY]
                          play a scenario through the public APIs: documents sent, accepted and
                          worked to 06 at every level, some steps on paper; prints what it added
  report [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--under <code>] [--by level|agency|month] [--csv]
                          the share of work files closed fully online, per level (default: this year)
  bench [--local] [--seconds S] [--loads 100,500,1000]
                          the whole exchange on this machine: end to end at rising offered loads,
                          a province broadcast, the machine's limits, each service's memory and
                          CPU; on a stack of its own (or the running one with --local); writes
                          bench-results/<date>.json and a chart (.html)
  bench <name>            one part's targets: registry, signatures, envelopes, broadcast, inbox,
                          audit, limits
  ca init                 make the local development CA once and print its certificate's path
  ca issue <code> --jwk '<public JWK>' [--role signer --holder "Name"]
                          print a development certificate for an agency's or a signer's key
  webhooks dead-letters [--agency <code>]
                          list the webhook calls the inbox gave up (id, agency, event, last error)
  webhooks replay [--agency <code>] [id…]
                          try them again at once: those ids, that agency's, or both
  ledger verify [--as <code>]
                          recompute the audit ledger's hash chain and check its signed checkpoints
  mail agency <code> <address>
                          set the agency's mailbox, where the mail gateway delivers its documents
  mail official <code> <address> --name "Nguyễn Văn A"
                          issue an official's login to the mail gateway (SMTP, port MAIL_SMTP_PORT
                          or 2525) and print it with the mail client's settings; again: a new password
`

const [name, ...args] = process.argv.slice(2)
const command = name !== undefined ? COMMANDS[name] : undefined
if (command === undefined) {
  process.stderr.write(USAGE)
  process.exit(name === undefined || name === 'help' || name === '--help' ? 0 : 2)
}
try {
  await command(args)
} catch (err) {
  process.stderr.write(`lienthong ${name}: ${(err as Error).message}\n`)
  process.exit(1)
}
