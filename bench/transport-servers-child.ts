/**
 * Starts bench/transport-servers.ts (the GitHub API stand-in and the receiver of the transport
 * scenario) as a child process and talks to it over its stdin and stdout.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT } from './daemon-child.js';
import type { TransportServerCounts, TransportServersReady } from './transport-servers.js';

export interface TransportServers extends TransportServersReady {
  readonly pid: number;
  /** The servers' counters so far. */
  counts(): Promise<TransportServerCounts>;
  close(): Promise<void>;
}

export async function startTransportServers(
  repositories: number,
  timeoutMs: number,
): Promise<TransportServers> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'bench/transport-servers.ts'), String(repositories)],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on(
    'data',
    (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)),
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const waiting: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => waiting.shift()?.(line));
  const nextLine = (what: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`transport servers: no ${what} within ${timeoutMs} ms\n${stderr}`));
      }, timeoutMs);
      waiting.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`transport servers exited (waiting for ${what})\n${stderr}`));
      });
    });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  let ready: TransportServersReady;
  try {
    ready = JSON.parse(await nextLine('start-up line')) as TransportServersReady;
  } catch (err) {
    await stop();
    throw err;
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error('transport servers did not start');
  return {
    ...ready,
    pid,
    async counts() {
      const line = nextLine('counts');
      child.stdin.write('counts\n');
      return JSON.parse(await line) as TransportServerCounts;
    },
    close: stop,
  };
}
