import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type ProfileName = 'dev' | 'test';

export interface ServerProfile {
  name: ProfileName;
  postgresPort: number;
  natsPort: number;
  /** Everything the profile's servers write lives under here (git-ignored via .data/). */
  baseDir: string;
}

/** The repository root: this file is infra/src/profiles.ts. */
export const repoRoot = resolve(fileURLToPath(new URL('../../', import.meta.url)));

// Ports away from the well-known 5432/4222, which the machine's own servers may hold.
export const serverProfiles: Readonly<Record<ProfileName, ServerProfile>> = {
  dev: { name: 'dev', postgresPort: 7401, natsPort: 7402, baseDir: join(repoRoot, '.data', 'dev') },
  test: { name: 'test', postgresPort: 7411, natsPort: 7412, baseDir: join(repoRoot, '.data', 'test') },
};

export function isProfileName(name: string): name is ProfileName {
  return Object.hasOwn(serverProfiles, name);
}

export function profileNamed(name: string): ServerProfile {
  if (!isProfileName(name)) throw new Error(`unknown server profile "${name}"; expected one of: ${Object.keys(serverProfiles).join(', ')}`);
  return serverProfiles[name];
}

export function projectPostgresDataDir(profile: ServerProfile): string {
  return join(profile.baseDir, 'postgres', 'data');
}

/**
 * Where PostgreSQL goes when the postgres OS user cannot enter the project folder (e.g. a repo
 * under /root). The hash keeps two checkouts on one machine apart.
 */
export function fallbackPostgresDataDir(profile: ServerProfile): string {
  const checkout = createHash('sha256').update(repoRoot).digest('hex').slice(0, 12);
  return join(tmpdir(), `lienthong-${profile.name}-${checkout}`, 'postgres', 'data');
}

export function natsStoreDir(profile: ServerProfile): string {
  return join(profile.baseDir, 'nats', 'store');
}
