import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build, type Plugin } from 'esbuild'
import { repoRoot } from './profiles.ts'
import type { ServiceName } from './service-process.ts'

/**
 * Each service (and the CLI) as one ES module of its own TypeScript and the workspace packages',
 * with every npm dependency left as an import of the exact file Node would load. Starting a service
 * through tsx's loader costs 1.5–2 s of CPU (every one of ~1,000 modules crosses to the loader's
 * thread); a built one starts in a fraction of that, which on a 2-core machine running ~40 stacks
 * of four services in the test suite is minutes. Nothing is committed: the build is made per
 * process, in a temporary directory, in a second or so, unless the process was handed a build
 * already made (PROGRAMS_BUILT_IN, which the whole test suite sets, so that its twenty-odd stack
 * files do not each build the same bundles again).
 */
export type BuiltProgram = ServiceName | 'cli'

const built = new Map<BuiltProgram, Promise<string>>()
let outDir: string | undefined

/** The environment variable naming a directory where the programs are built already. */
export const PROGRAMS_BUILT_IN = 'LIENTHONG_PROGRAMS_BUILT_IN'

export async function builtProgram (name: BuiltProgram): Promise<string> {
  let entry = built.get(name)
  if (entry === undefined) {
    const given = process.env[PROGRAMS_BUILT_IN]
    const ready = given !== undefined && given !== '' ? join(given, `${name}.mjs`) : undefined
    entry = ready !== undefined && existsSync(ready) ? Promise.resolve(ready) : buildProgram(name, ownOutDir())
    built.set(name, entry)
  }
  return await entry
}

/** Builds the programs into `dir`, for the processes given it as PROGRAMS_BUILT_IN. */
export async function buildPrograms (names: readonly BuiltProgram[], dir: string): Promise<void> {
  await Promise.all(names.map(async (name) => await buildProgram(name, dir)))
}

function ownOutDir (): string {
  if (outDir === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'lienthong-programs-'))
    outDir = dir
    process.once('exit', () => { rmSync(dir, { recursive: true, force: true }) })
  }
  return outDir
}

async function buildProgram (name: BuiltProgram, dir: string): Promise<string> {
  const outfile = join(dir, `${name}.mjs`)
  await build({
    entryPoints: [name === 'cli' ? join(repoRoot, 'packages', 'cli', 'src', 'main.ts') : join(repoRoot, 'services', name, 'src', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'error',
    plugins: [npmDependenciesInPlace, ownImportMetaUrl]
  })
  return outfile
}

/**
 * npm packages stay out of the bundle, imported by the absolute path of the file Node would
 * resolve from the importing source: pnpm gives each workspace package only its own
 * dependencies, so a bare import moved into a service's bundle would not resolve from there.
 */
const npmDependenciesInPlace: Plugin = {
  name: 'npm-dependencies-in-place',
  setup (b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.path.startsWith('@lienthong/') || args.pluginData === 'in-place') return undefined
      if (args.path.startsWith('node:')) return { path: args.path, external: true }
      const found = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'in-place' })
      if (found.errors.length > 0) return { errors: found.errors }
      // a Node built-in named without `node:` (esbuild marks it external with no file)
      if (found.external) return { path: args.path, external: true }
      return { path: pathToFileURL(found.path).href, external: true }
    })
  }
}

/** `import.meta.url` keeps meaning the source file it is written in (migrations are found by it). */
const ownImportMetaUrl: Plugin = {
  name: 'own-import-meta-url',
  setup (b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8')
      if (!source.includes('import.meta.url')) return undefined
      return { contents: source.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' }
    })
  }
}
