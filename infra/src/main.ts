// CLI: `node --import tsx infra/src/main.ts start|stop|status [dev|test]`.
// stdout carries only machine-readable lines (for `start`, KEY=value to eval or source);
// everything for humans goes to stderr.
import { describeServers } from './server-status.ts';
import { ensureServers, stopServers } from './servers.ts';
import { isProfileName, type ProfileName } from './profiles.ts';

const usage = 'usage: node --import tsx infra/src/main.ts start|stop|status [dev|test]';

async function run(command: string | undefined, profile: ProfileName): Promise<number> {
  switch (command) {
    case 'start': {
      const { databaseUrl, natsUrl } = await ensureServers(profile);
      process.stdout.write(`DATABASE_URL=${databaseUrl}\nNATS_URL=${natsUrl}\n`);
      return 0;
    }
    case 'stop':
      await stopServers(profile);
      return 0;
    case 'status': {
      for (const status of await describeServers(profile)) {
        const state = status.running ? 'running' : 'stopped';
        process.stdout.write(`${status.server}\t${state}\t${status.url}\t${status.dataDir}\t${status.logFile}\n`);
      }
      return 0;
    }
    default:
      process.stderr.write(`${usage}\n`);
      return 2;
  }
}

const [command, profileArg = 'dev'] = process.argv.slice(2);
if (!isProfileName(profileArg)) {
  process.stderr.write(`unknown profile "${profileArg}"\n${usage}\n`);
  process.exitCode = 2;
} else {
  try {
    process.exitCode = await run(command, profileArg);
  } catch (error) {
    process.stderr.write(`[infra] ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
