import { LedgerVerification, SCOPES } from '@lienthong/contracts'
import type { ServiceApp } from '@lienthong/platform'
import type { AuditContext } from '../context.ts'
import { verifyLedger } from '../domain/ledger-verify.ts'

export async function ledgerRoutes (app: ServiceApp, ctx: AuditContext): Promise<void> {
  app.get('/v1/ledger/verify', {
    onRequest: app.requireScopes(SCOPES.auditRead),
    schema: {
      tags: ['ledger'],
      summary: 'Recompute the ledger\u2019s hash chain and check its signed checkpoints',
      description: 'Reads every entry from the first: each entry\u2019s hash is recomputed from the row as it is now, each `prev` compared with the entry before, ' +
        'sequence numbers checked for gaps, and each checkpoint compared with its entry and verified against the signing agency\u2019s registered key. ' +
        '`firstBroken` names the first entry that does not hold. Takes about a second per million entries.',
      response: { 200: LedgerVerification }
    }
  }, async () => await verifyLedger(ctx.sql, ctx.signatures))
}
