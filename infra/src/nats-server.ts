import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { requireNatsServer } from './installed-binaries.ts';
import { logTail } from './log-tail.ts';
import { readNatsInfo } from './nats-info.ts';
import { commandLineOf, processIsAlive, readPidFile } from './pid-file.ts';
import { isPortOpen } from './port-probe.ts';
import { reportProgress } from './progress.ts';

export interface NatsLocation {
  storeDir: string;
  port: number;
}

const startTimeoutMs = 20_000;
const stopGraceMs = 10_000;

export function natsUrl(port: number): string {
  return `nats://127.0.0.1:${port}`;
}

// Pid and log files sit next to the JetStream store, so wiping the store keeps the history.
export function natsPidFile(storeDir: string): string {
  return join(dirname(resolve(storeDir)), 'nats.pid');
}

export function natsLogFile(storeDir: string): string {
  return join(dirname(resolve(storeDir)), 'nats.log');
}

interface RunningNats {
  pid: number;
  /** The port from its command line; undefined when /proc cannot tell us. */
  port: number | undefined;
}

/** Our nats-server for this store, from the pid file, provided that pid is still that server. */
function findOurNats(storeDir: string): RunningNats | undefined {
  const pid = readPidFile(natsPidFile(storeDir));
  if (pid === undefined || !processIsAlive(pid)) return undefined;
  const commandLine = commandLineOf(pid);
  if (commandLine === undefined) return { pid, port: undefined };
  // The pid may have been reused by an unrelated program since our server died.
  const isOurs = commandLine.some((arg) => arg.endsWith('nats-server')) && commandLine.includes(storeDir);
  if (!isOurs) return undefined;
  const portFlag = commandLine.indexOf('-p');
  const portArg = portFlag === -1 ? undefined : commandLine[portFlag + 1];
  return { pid, port: portArg === undefined ? undefined : Number(portArg) };
}

async function waitUntilReady(port: number, exited: () => number | null | undefined, logFile: string): Promise<void> {
  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline) {
    const exitCode = exited();
    if (exitCode !== undefined) {
      throw new Error(`nats-server exited (code ${exitCode}) while starting; see ${logFile}:\n${logTail(logFile)}`);
    }
    const info = await readNatsInfo(port);
    if (info?.jetstream === true) return;
    await sleep(100);
  }
  throw new Error(
    `nats-server did not answer with JetStream enabled on 127.0.0.1:${port} within ${startTimeoutMs / 1000} s; see ${logFile}:\n${logTail(logFile)}`,
  );
}

async function spawnNats(storeDir: string, port: number): Promise<void> {
  const binary = requireNatsServer();
  const pidFile = natsPidFile(storeDir);
  const logFile = natsLogFile(storeDir);
  rmSync(pidFile, { force: true });
  reportProgress(`starting nats-server on 127.0.0.1:${port} (store ${storeDir}, log ${logFile})`);
  const args = ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir, '-P', pidFile, '-l', logFile];
  // Detached and unreferenced: the server must outlive `main.ts start`.
  const child = spawn(binary, args, { detached: true, stdio: 'ignore' });
  let exitCode: number | null | undefined;
  let spawnError: Error | undefined;
  child.once('exit', (code) => {
    exitCode = code;
  });
  child.once('error', (error) => {
    spawnError = error;
    exitCode = null;
  });
  child.unref();
  try {
    await waitUntilReady(port, () => exitCode, logFile);
  } catch (error) {
    if (spawnError) throw new Error(`could not run ${binary}: ${spawnError.message}`);
    if (exitCode === undefined && child.pid !== undefined) sendSignal(child.pid, 'SIGKILL');
    throw error;
  }
}

/** Starts (or reuses) the project's own nats-server with JetStream, listening only on 127.0.0.1:`port`. */
export async function startNats(location: NatsLocation): Promise<{ url: string }> {
  const storeDir = resolve(location.storeDir);
  const { port } = location;
  mkdirSync(storeDir, { recursive: true });

  const running = findOurNats(storeDir);
  if (running) {
    const info = await readNatsInfo(port);
    if ((running.port === undefined || running.port === port) && info?.jetstream === true) {
      reportProgress(`nats-server already running on 127.0.0.1:${port} (pid ${running.pid})`);
      return { url: natsUrl(port) };
    }
    reportProgress(`our nats-server (pid ${running.pid}) does not serve JetStream on port ${port}; restarting it`);
    await stopNats({ storeDir });
  }
  if (await isPortOpen(port)) {
    throw new Error(`port ${port} is already taken by another program; our nats-server cannot listen there`);
  }
  await spawnNats(storeDir, port);
  return { url: natsUrl(port) };
}

export async function natsIsRunning({ storeDir }: { storeDir: string }): Promise<boolean> {
  return findOurNats(resolve(storeDir)) !== undefined;
}

function sendSignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    // It may have exited on its own between our check and the signal.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!processIsAlive(pid)) return true;
    await sleep(100);
  }
  return !processIsAlive(pid);
}

/** Stops the nats-server we started for this store; does nothing when it does not run. */
export async function stopNats({ storeDir }: { storeDir: string }): Promise<void> {
  const store = resolve(storeDir);
  const pidFile = natsPidFile(store);
  const running = findOurNats(store);
  if (running) {
    reportProgress(`stopping nats-server (pid ${running.pid})`);
    sendSignal(running.pid, 'SIGTERM');
    if (!(await waitForExit(running.pid, stopGraceMs))) {
      reportProgress(`nats-server (pid ${running.pid}) ignored SIGTERM for ${stopGraceMs / 1000} s; killing it`);
      sendSignal(running.pid, 'SIGKILL');
      if (!(await waitForExit(running.pid, 5000))) throw new Error(`nats-server (pid ${running.pid}) would not die`);
    }
  }
  rmSync(pidFile, { force: true });
}
