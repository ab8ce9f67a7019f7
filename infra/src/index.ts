export { ensureDebianPackages, type WantedServers } from './debian-packages.ts';
export { natsIsRunning, startNats, stopNats, type NatsLocation } from './nats-server.ts';
export { DataDirNotTraversableError } from './postgres-os-user.ts';
export { postgresIsRunning, startPostgres, stopPostgres, type PostgresLocation } from './postgres-server.ts';
export {
  fallbackPostgresDataDir,
  isProfileName,
  natsStoreDir,
  profileNamed,
  projectPostgresDataDir,
  repoRoot,
  serverProfiles,
  type ProfileName,
  type ServerProfile,
} from './profiles.ts';
export { describeServers, type ServerStatus } from './server-status.ts';
export { ensureServers, stopServers, type ServerUrls } from './servers.ts';
export { PROGRAMS_BUILT_IN, buildPrograms, builtProgram, type BuiltProgram } from './service-build.ts';
export { ServiceProcess, SERVICE_NAMES, EXCHANGE_SERVICE_NAMES, freePort, type ServiceName, type ExchangeServiceName, type ServiceSpec } from './service-process.ts';
export { findChromium, requireChromium } from './installed-binaries.ts';
