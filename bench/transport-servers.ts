/**
 * The servers of the transport scenario in a process of their own, so that the CPU time the
 * bench process measures is the client's alone: the bench's GitHub API stand-in and its receiver
 * on 127.0.0.1. Started by scenario-transport.ts as `node --import tsx bench/transport-servers.ts
 * REPOSITORIES`; prints one JSON line with the URLs, answers each `counts` line on stdin with one
 * JSON line of counters, and exits when stdin ends (so it never outlives the bench).
 */
import { createInterface } from 'node:readline';
import { BENCH_SECRET, BENCH_TOKEN } from './bench-config.js';
import { startBenchGithub } from './bench-github.js';
import { startBenchReceiver } from './bench-receiver.js';
import { extraBranches } from './polling-run.js';

export interface TransportServersReady {
  /** http://127.0.0.1:PORT, where the repositories' web URLs point. */
  readonly githubUrl: string;
  readonly apiBaseUrl: string;
  readonly receiverUrl: string;
}

export interface TransportServerCounts {
  /** GitHub API requests of RepoSentry clients, and how many of them were answered 304. */
  readonly githubRequests: number;
  readonly notModified: number;
  readonly receiverRequests: number;
  readonly badSignatures: number;
}

const repositories = Number(process.argv[2]);
if (!Number.isInteger(repositories) || repositories < 1) {
  throw new Error(`transport-servers: not a number of repositories: ${process.argv[2]}`);
}
const github = await startBenchGithub({ repositories, token: BENCH_TOKEN, extraBranches });
const receiver = await startBenchReceiver(BENCH_SECRET);
const write = (value: TransportServersReady | TransportServerCounts): void =>
  void process.stdout.write(`${JSON.stringify(value)}\n`);
write({ githubUrl: github.url, apiBaseUrl: github.apiBaseUrl, receiverUrl: receiver.url });

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() !== 'counts') return;
  const daemon = github.counts('daemon');
  write({
    githubRequests: daemon.requests,
    notModified: daemon.notModified,
    receiverRequests: receiver.requests(),
    badSignatures: receiver.badSignatures(),
  });
});
lines.on('close', () => {
  void Promise.all([github.close(), receiver.close()]).finally(() => process.exit(0));
});
