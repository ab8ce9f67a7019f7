import { existsSync } from 'node:fs';
import { findChromium, findNatsServer, findPostgresBinDir } from './installed-binaries.ts';
import { reportProgress } from './progress.ts';
import { runCommandOrThrow } from './run-command.ts';

export interface WantedServers {
  postgres?: boolean;
  nats?: boolean;
  /** not a server: the browser the dashboard's test drives; only the test command asks for it */
  chromium?: boolean;
}

function runsAsRoot(): boolean {
  return process.getuid?.() === 0;
}

// sudo resets the environment, so DEBIAN_FRONTEND is passed through `env` on its command line.
async function aptGet(args: readonly string[]): Promise<void> {
  const aptArgs = ['DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args];
  const [command, commandArgs] = runsAsRoot() ? ['env', aptArgs] : ['sudo', ['-n', 'env', ...aptArgs]];
  reportProgress(`running: ${[command, ...commandArgs].join(' ')}`);
  await runCommandOrThrow(command, commandArgs, { echoToStderr: true });
}

/**
 * Installs the Debian packages for the servers we start ourselves (and, when asked, the browser
 * the dashboard test drives), only when their binaries are missing. Installing "postgresql" may also start Debian's own cluster on 5432; we leave it be.
 */
export async function ensureDebianPackages(wanted: WantedServers = {}): Promise<void> {
  const missing: string[] = [];
  if ((wanted.postgres ?? true) && !findPostgresBinDir()) missing.push('postgresql');
  if ((wanted.nats ?? true) && !findNatsServer()) missing.push('nats-server');
  if ((wanted.chromium ?? false) && !findChromium()) missing.push('chromium');
  if (missing.length === 0) return;

  if (!existsSync('/usr/bin/apt-get')) {
    throw new Error(
      `missing ${missing.join(' and ')}, and apt-get is not available to install them; ` +
        'install them yourself or set DATABASE_URL / NATS_URL to servers you run',
    );
  }
  if (!runsAsRoot() && !existsSync('/usr/bin/sudo')) {
    throw new Error(`missing ${missing.join(' and ')}; not root and no sudo: run "apt-get install ${missing.join(' ')}" as root`);
  }
  reportProgress(`installing Debian packages: ${missing.join(' ')}`);
  await aptGet(['update']);
  await aptGet(['install', '-y', '--no-install-recommends', ...missing]);

  if (missing.includes('postgresql') && !findPostgresBinDir()) throw new Error('installed "postgresql" but still cannot find initdb');
  if (missing.includes('nats-server') && !findNatsServer()) throw new Error('installed "nats-server" but still cannot find it');
  if (missing.includes('chromium') && !findChromium()) throw new Error('installed "chromium" but still cannot find it');
  reportProgress(`installed: ${missing.join(' ')}`);
}
