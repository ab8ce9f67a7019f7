export * from './registry-admin.ts'
export { seed, SEEDS } from './commands/seed.ts'
export * from './custody-enrolment.ts'
export * from './dev-ca.ts'
