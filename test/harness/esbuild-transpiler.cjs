// ts-node's transpiler in tap's test processes when TS_NODE_PROJECT names tsconfig.tap.json next
// to this file, as the whole suite does (test/run-all.ts): esbuild, which tsx and the service
// builds use too, instead of the TypeScript compiler, whose first transpiles cost each of the
// suite's hundred-odd test processes most of a second of CPU. Types are checked by tsc, not here.
const { join } = require('node:path')
// esbuild is the infra package's dependency; pnpm gives this folder none of its own
const { transformSync } = require(require.resolve('esbuild', { paths: [join(__dirname, '..', '..', 'infra')] }))

exports.create = ({ nodeModuleEmitKind }) => ({
  transpile (input, { fileName }) {
    const { code, map } = transformSync(input, {
      loader: fileName.endsWith('x') ? 'tsx' : 'ts',
      format: nodeModuleEmitKind === 'nodecjs' || nodeModuleEmitKind === 'cjs' ? 'cjs' : 'esm',
      target: 'node20',
      sourcemap: 'external',
      sourcefile: fileName,
      // what tsconfig.base.json says, for the parts that change the JavaScript
      tsconfigRaw: { compilerOptions: { target: 'ES2022', useDefineForClassFields: true, verbatimModuleSyntax: true } }
    })
    return { outputText: code, sourceMapText: map }
  }
})
