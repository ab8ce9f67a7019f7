import { accessSync, constants, readdirSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

const debianPostgresRoot = '/usr/lib/postgresql';

// Debian keeps server binaries off PATH, one folder per major version; root's PATH has
// /usr/sbin but an ordinary user's often does not, hence the extra folders.
const extraSearchDirs = ['/usr/sbin', '/usr/local/sbin', '/usr/local/bin'];

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findOnPath(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...extraSearchDirs];
  return dirs.map((dir) => join(dir, name)).find(isExecutable);
}

/** The folder holding initdb/pg_ctl/psql, preferring Debian's highest major version. */
export function findPostgresBinDir(): string | undefined {
  let majors: string[] = [];
  try {
    majors = readdirSync(debianPostgresRoot).filter((entry) => /^\d+(\.\d+)?$/.test(entry));
  } catch {
    // Not Debian-like: fall through to PATH.
  }
  const newestFirst = majors.sort((a, b) => Number(b) - Number(a));
  const debianDir = newestFirst
    .map((major) => join(debianPostgresRoot, major, 'bin'))
    .find((dir) => isExecutable(join(dir, 'initdb')));
  if (debianDir) return debianDir;
  const initdb = findOnPath('initdb');
  return initdb ? dirname(initdb) : undefined;
}

export function requirePostgresBinDir(): string {
  const dir = findPostgresBinDir();
  if (!dir) throw new Error('PostgreSQL server binaries (initdb) not found; run ensureDebianPackages() or install package "postgresql"');
  return dir;
}

export function findNatsServer(): string | undefined {
  return findOnPath('nats-server');
}

export function requireNatsServer(): string {
  const file = findNatsServer();
  if (!file) throw new Error('nats-server not found; run ensureDebianPackages() or install package "nats-server"');
  return file;
}

// Debian's package "chromium" puts its launcher at /usr/bin/chromium; other distributions name it
// chromium-browser. Only the dashboard's browser test needs it.
export function findChromium(): string | undefined {
  return findOnPath('chromium') ?? findOnPath('chromium-browser');
}

export function requireChromium(): string {
  const file = findChromium();
  if (!file) throw new Error('chromium not found; run ensureDebianPackages({ chromium: true }) or install package "chromium"');
  return file;
}
