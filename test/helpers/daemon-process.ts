/**
 * The daemon as a separate process (`reposentry run -c FILE` from source), as systemd or
 * Kubernetes run it: for tests that kill it, restart it and read what it printed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ENTRY = path.resolve(import.meta.dirname, '../../scripts/reposentry.ts');

export interface DaemonProcess {
  readonly child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the API port once the daemon logged `API listening`. */
  apiPort(timeoutMs?: number): Promise<number>;
  /** Resolves once /readyz answers 200. */
  ready(timeoutMs?: number): Promise<string>;
  kill(signal: NodeJS.Signals): void;
  /** Exit code (null when killed by a signal). */
  exited(): Promise<number | null>;
}

export function startDaemonProcess(
  configFile: string,
  env: NodeJS.ProcessEnv = {},
  args: readonly string[] = [],
): DaemonProcess {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', ENTRY, 'run', '-c', configFile, ...args],
    {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
  });
  const until = async <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`daemon exited before ${what}:\n${text}`);
      if (Date.now() > deadline)
        throw new Error(`daemon: no ${what} within ${timeoutMs} ms:\n${text}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const apiPort = (timeoutMs = 20_000): Promise<number> =>
    until(
      'API port',
      () => {
        const line = text.split('\n').find((l) => l.includes('API listening')) ?? '';
        const match = /"port":(\d+)|port=(\d+)/.exec(line);
        const port = match?.[1] ?? match?.[2];
        return Promise.resolve(port === undefined ? undefined : Number(port));
      },
      timeoutMs,
    );
  return {
    child,
    output: () => text,
    apiPort,
    ready: async (timeoutMs = 20_000) => {
      const port = await apiPort(timeoutMs);
      const base = `http://127.0.0.1:${port}`;
      return until(
        'readiness',
        async () => {
          try {
            return (await fetch(`${base}/readyz`)).status === 200 ? base : undefined;
          } catch {
            return undefined;
          }
        },
        timeoutMs,
      );
    },
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    exited: () => exited,
  };
}
