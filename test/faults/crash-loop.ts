/**
 * The crash-safety scenario shared by the CI test (test/faults/crash-loop.test.ts) and
 * `npm run soak`: the daemon runs as a child process against real bare repositories and a
 * receiver, commits land continuously, and the daemon is SIGKILLed at random moments and
 * restarted. At the end, every ref's events form an unbroken chain ending at the ref's real sha,
 * numbered 1, 2, 3 ... (each transition recorded once, repeated ones too), every event was
 * delivered, and duplicates (allowed: at-least-once) are counted.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { writeDaemonConfig } from '../helpers/daemon-config.js';
import { startDaemonProcess, type DaemonProcess } from '../helpers/daemon-process.js';
import { createGitRepoFactory } from '../helpers/git-repo-factory.js';
import { createWebhookReceiver } from '../helpers/webhook-receiver.js';
import { createMixRepos, startCommitMix, type CommitMix } from './commit-mix.js';
import { crashOutcome, EVENTS_SQL, type CrashOutcome, type EventRow } from './crash-outcome.js';

export interface CrashLoopOptions {
  readonly kills: number;
  readonly repositories: number;
  /** Longest time the daemon runs before it is killed. */
  readonly maxRunMs: number;
  readonly random?: () => number;
  readonly log?: (line: string) => void;
}

export interface CrashLoopResult extends CrashOutcome {
  readonly kills: number;
  readonly commits: number;
  /** Deliveries left pending/in_flight/failed in the database: must be 0. */
  readonly unsettled: number;
}

const SECRET = 'crash-loop-secret-3f9d';

export async function runCrashLoop(options: CrashLoopOptions): Promise<CrashLoopResult> {
  const random = options.random ?? Math.random;
  const log = options.log ?? (() => undefined);
  const factory = await createGitRepoFactory();
  const receiver = await createWebhookReceiver({ secret: SECRET });
  const dir = await mkdtemp(path.join(tmpdir(), 'rs-crash-loop-'));
  let current: DaemonProcess | undefined;
  let mix: CommitMix | undefined;
  try {
    const mixRepos = await createMixRepos(factory, options.repositories);
    const { repos } = mixRepos;
    const configFile = await writeDaemonConfig(dir, receiver.url, {
      app: { log_level: 'info' },
      tekton: { secret: '${WEBHOOK_SECRET}', retry_attempts: 1000 },
      repositories: repos.map((repo, i) => ({
        name: `repo${i}`,
        url: repo.fileUrl,
        provider: 'git',
        branch_regex: '.*',
        tag_regex: '.*',
      })),
    });
    const env = { WEBHOOK_SECRET: SECRET };
    const dbFile = path.join(dir, 'reposentry.db');

    // Commits land continuously on random repositories (commit-mix.ts).
    mix = startCommitMix(mixRepos, { random, pauseMs: [50, 200] });

    for (let kill = 0; kill < options.kills; kill += 1) {
      receiver.delay(random() < 0.5 ? Math.floor(random() * 200) : 0);
      current = startDaemonProcess(configFile, env);
      await current.apiPort(30_000);
      await new Promise((r) => setTimeout(r, 100 + random() * (options.maxRunMs - 100)));
      current.kill('SIGKILL');
      await current.exited();
      log(
        `kill ${kill + 1}/${options.kills}: ${mix.commits} commits, ${receiver.requests.length} requests`,
      );
    }
    await mix.stop();
    receiver.delay(0);

    // A last run that is allowed to finish: everything recorded gets delivered.
    const lastCommitAt = Date.now();
    current = startDaemonProcess(configFile, env);
    await current.ready(30_000);
    const settled = (): boolean => {
      const db = new Database(dbFile, { readonly: true });
      try {
        const polledAfter = db
          .prepare('SELECT count(*) FROM poll_state WHERE last_success_at > ?')
          .pluck()
          .get(lastCommitAt) as number;
        const open = db
          .prepare("SELECT count(*) FROM deliveries WHERE status IN ('pending', 'in_flight')")
          .pluck()
          .get() as number;
        return polledAfter === repos.length && open === 0;
      } finally {
        db.close();
      }
    };
    const deadline = Date.now() + 60_000;
    while (!settled()) {
      if (Date.now() > deadline) throw new Error(`not settled:\n${current.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    current.kill('SIGTERM');
    const code = await current.exited();
    if (code !== 0) throw new Error(`clean stop exited ${code}:\n${current.output()}`);

    const db = new Database(dbFile, { readonly: true });
    let events: EventRow[];
    let unsettled: number;
    try {
      events = db.prepare(EVENTS_SQL).all() as EventRow[];
      unsettled = db
        .prepare("SELECT count(*) FROM deliveries WHERE status <> 'delivered'")
        .pluck()
        .get() as number;
    } finally {
      db.close();
    }
    const actual = new Map<string, ReadonlyMap<string, string>>();
    for (const [i, repo] of repos.entries()) actual.set(`repo${i}`, await repo.refs());
    return {
      kills: options.kills,
      commits: mix.commits,
      ...crashOutcome(events, actual, receiver),
      unsettled,
    };
  } finally {
    await mix?.stop().catch(() => undefined);
    current?.kill('SIGKILL');
    await receiver.close();
    await factory.cleanup();
    await rm(dir, { recursive: true, force: true });
  }
}
