import type { AgencyInput } from '@lienthong/contracts'
import { countryDirectory, laocaiDirectory } from '@lienthong/seeds'
import { importAgencies, issueToken } from '../registry-admin.ts'
import { operatorCredentials, requireStack } from '../local-stack.ts'

export const SEEDS: Record<string, () => AgencyInput[]> = {
  laocai: laocaiDirectory,
  country: () => countryDirectory()
}

/** Imports a seed directory through registry's API; importing it again changes nothing. */
export async function seed (registryUrl: string, adminToken: string, name: string): Promise<{ received: number, changed: number }> {
  const build = SEEDS[name]
  if (build === undefined) throw new Error(`unknown seed "${name}"; known: ${Object.keys(SEEDS).join(', ')}`)
  const agencies = build()
  let changed = 0
  // Chunks keep each request well under registry's body limit for the whole country.
  for (let i = 0; i < agencies.length; i += 5000) {
    changed += (await importAgencies(registryUrl, adminToken, agencies.slice(i, i + 5000))).changed
  }
  return { received: agencies.length, changed }
}

export async function seedCommand (args: string[]): Promise<void> {
  const name = args[0] ?? 'laocai'
  const stack = requireStack()
  const token = await issueToken(stack.urls.registry, operatorCredentials())
  const result = await seed(stack.urls.registry, token, name)
  process.stderr.write(`seed ${name}: ${result.received} agencies, ${result.changed} new or changed\n`)
}
