import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build, type Plugin } from 'esbuild'
import { repoRoot } from './profiles.ts'
import type { ServiceName } from './service-process.ts'

/**
 * Each service (and the CLI) as one ES module of its own TypeScript, the workspace packages' and
 * its npm dependencies'. Starting a service through tsx's loader costs 1.5–2 s of CPU (every one of
 * ~1,000 modules crosses to the loader's thread); built with its npm packages left as imports in
 * place, 0.8 s, much of it Node finding and reading the ~1,000 files of those packages; as one
 * file, under 0.5 s. On a 2-core machine starting ~100 services in the test suite, that is
 * minutes. Nothing is committed: the build is made per process, in a temporary directory, in a
 * few seconds, unless the process was handed a build already made (PROGRAMS_BUILT_IN, which the
 * whole test suite sets, so that its twenty-odd stack files do not each build the same bundles).
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

/** A service's bundle, for ServiceProcess. */
export async function builtService (name: ServiceName): Promise<string> {
  return await builtProgram(name)
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
    // the map points into the files on disk; copies of their text would only make it larger to load
    sourcesContent: false,
    logLevel: 'error',
    banner: { js: REQUIRE_IN_BUNDLE },
    plugins: [ownPlace]
  })
  return outfile
}

// Neither is written out as the plain text the plugin looks for: the CLI's bundle holds this file.
const IMPORT_META_URL = /\bimport\.meta\.url\b/
/** CommonJS packages in an ES module call require (for Node's built-ins, mostly). */
const REQUIRE_IN_BUNDLE = "import { createRequire as createRequireOfBundle } from 'node:module'; const require = createRequireOfBundle(import" + '.meta.url);'

/**
 * Code that finds files next to itself: `import.meta.url` in our TypeScript (migrations are found
 * by it), `__dirname` and `__filename` in a few npm packages (a package.json read for a version,
 * swagger-ui's static files). In the bundle each keeps meaning the file it is written in.
 */
const ownPlace: Plugin = {
  name: 'own-place',
  setup (b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8')
      if (!IMPORT_META_URL.test(source)) return undefined
      const url = JSON.stringify(pathToFileURL(args.path).href)
      return { contents: source.replace(new RegExp(IMPORT_META_URL.source, 'g'), () => url), loader: 'ts' }
    })
    b.onLoad({ filter: /[\\/]node_modules[\\/].*\.[cm]?js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8')
      if (!/\b__(dirname|filename)\b/.test(source) || /\b(var|let|const)\s+__(dirname|filename)\b/.test(source)) return undefined
      // after a leading "use strict", which is a directive only while it comes first
      const directive = /^(?:#![^\n]*\n)?\s*(?:(['"])use strict\1;?)?/.exec(source)![0]
      const place = `;var __dirname = ${JSON.stringify(dirname(args.path))}, __filename = ${JSON.stringify(args.path)};`
      return { contents: directive + place + source.slice(directive.length), loader: 'js' }
    })
  }
}
