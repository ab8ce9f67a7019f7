import { natsIsRunning, natsLogFile, natsUrl } from './nats-server.ts';
import { postgresIsRunning, postgresLogFile, postgresUrl } from './postgres-server.ts';
import { natsStoreDir, profileNamed, type ProfileName } from './profiles.ts';
import { candidatePostgresDataDirs } from './servers.ts';

export interface ServerStatus {
  server: 'postgres' | 'nats';
  running: boolean;
  url: string;
  dataDir: string;
  logFile: string;
}

/** Whether the profile's own servers run, and where their data and logs are. */
export async function describeServers(profileName: ProfileName): Promise<ServerStatus[]> {
  const profile = profileNamed(profileName);
  const candidates = candidatePostgresDataDirs(profile);
  let postgresDir = candidates[0] ?? '';
  let postgresRunning = false;
  for (const dataDir of candidates) {
    if (await postgresIsRunning({ dataDir })) {
      postgresDir = dataDir;
      postgresRunning = true;
      break;
    }
  }
  const storeDir = natsStoreDir(profile);
  return [
    {
      server: 'postgres',
      running: postgresRunning,
      url: postgresUrl(profile.postgresPort),
      dataDir: postgresDir,
      logFile: postgresLogFile(postgresDir),
    },
    {
      server: 'nats',
      running: await natsIsRunning({ storeDir }),
      url: natsUrl(profile.natsPort),
      dataDir: storeDir,
      logFile: natsLogFile(storeDir),
    },
  ];
}
