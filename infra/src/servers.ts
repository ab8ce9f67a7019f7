import { ensureDebianPackages } from './debian-packages.ts';
import { startNats, stopNats } from './nats-server.ts';
import { DataDirNotTraversableError } from './postgres-os-user.ts';
import { PortTakenError, startPostgres, stopPostgres } from './postgres-server.ts';
import { freePort } from './service-process.ts';
import {
  fallbackPostgresDataDir,
  natsStoreDir,
  profileNamed,
  projectPostgresDataDir,
  type ProfileName,
  type ServerProfile,
} from './profiles.ts';
import { reportProgress } from './progress.ts';
import { readServerState, writeServerState } from './server-state.ts';
import { clusterExists } from './postgres-cluster.ts';
import { withStartLock } from './start-lock.ts';

export interface ServerUrls {
  databaseUrl: string;
  natsUrl: string;
}

/** Every place this profile's cluster may live, the one last used first. */
export function candidatePostgresDataDirs(profile: ServerProfile): string[] {
  const recorded = readServerState(profile).postgresDataDir;
  const all = [recorded, projectPostgresDataDir(profile), fallbackPostgresDataDir(profile)];
  return [...new Set(all.filter((dir): dir is string => dir !== undefined))];
}

async function startProfilePostgres(profile: ServerProfile): Promise<string> {
  const state = readServerState(profile);
  // Stay where the data already is, so a cluster that had to fall back keeps its data.
  let dataDir = state.postgresDataDir !== undefined && clusterExists(state.postgresDataDir) ? state.postgresDataDir : projectPostgresDataDir(profile);
  let port = state.postgresPort ?? profile.postgresPort;
  for (let attempt = 0; ; attempt++) {
    try {
      const { url } = await startPostgres({ dataDir, port, throwaway: profile.name === 'test' });
      writeServerState(profile, { postgresDataDir: dataDir, ...(port !== profile.postgresPort ? { postgresPort: port } : {}) });
      return url;
    } catch (error) {
      if (attempt > 2) throw error;
      if (error instanceof DataDirNotTraversableError) {
        dataDir = fallbackPostgresDataDir(profile);
        reportProgress(`${error.message}`);
        reportProgress(`using ${dataDir} for PostgreSQL instead`);
      } else if (error instanceof PortTakenError && profile.name === 'test') {
        // Tests are handed the URL, so any port serves; another checkout may hold the usual one.
        port = await freePort();
        reportProgress(`${error.message}; using port ${port} for the test server instead`);
      } else {
        throw error;
      }
    }
  }
}

/**
 * Makes sure the profile's PostgreSQL and NATS are running and returns their URLs. A URL already
 * given in `env` (DATABASE_URL, NATS_URL) wins: that server is someone else's and we start nothing for it.
 */
export async function ensureServers(profileName: ProfileName, env: NodeJS.ProcessEnv = process.env, wanted: { nats?: boolean } = {}): Promise<ServerUrls> {
  const profile = profileNamed(profileName);
  const givenDatabaseUrl = env.DATABASE_URL || undefined;
  const givenNatsUrl = env.NATS_URL || undefined;
  if (givenDatabaseUrl !== undefined && givenNatsUrl !== undefined) return { databaseUrl: givenDatabaseUrl, natsUrl: givenNatsUrl };

  return withStartLock(profile.baseDir, async () => {
    // Inside the lock: two parallel apt-get runs would fight over dpkg's own lock. The
    // nats-server binary is wanted even when this profile runs none (tests start their own).
    await ensureDebianPackages({ postgres: givenDatabaseUrl === undefined, nats: givenNatsUrl === undefined });
    const databaseUrl = givenDatabaseUrl ?? (await startProfilePostgres(profile));
    const natsUrl = givenNatsUrl ?? (wanted.nats === false ? '' : (await startNats({ storeDir: natsStoreDir(profile), port: profile.natsPort })).url);
    return { databaseUrl, natsUrl };
  });
}

/** Stops the profile's own servers wherever they were started; servers we did not start are left alone. */
export async function stopServers(profileName: ProfileName): Promise<void> {
  const profile = profileNamed(profileName);
  await withStartLock(profile.baseDir, async () => {
    for (const dataDir of candidatePostgresDataDirs(profile)) await stopPostgres({ dataDir });
    await stopNats({ storeDir: natsStoreDir(profile) });
  });
}
