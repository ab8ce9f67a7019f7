export * from './canonical-json.ts'
export * from './digest.ts'
