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
import { createGitRepoFactory, type BareRepo } from '../helpers/git-repo-factory.js';
import { createWebhookReceiver } from '../helpers/webhook-receiver.js';

export interface CrashLoopOptions {
  readonly kills: number;
  readonly repositories: number;
  /** Longest time the daemon runs before it is killed. */
  readonly maxRunMs: number;
  readonly random?: () => number;
  readonly log?: (line: string) => void;
}

export interface CrashLoopResult {
  readonly kills: number;
  readonly commits: number;
  readonly events: number;
  readonly delivered: number;
  /** Events whose (repository, ref, before, after) an earlier event had: repeats that fired. */
  readonly repeated: number;
  /** Deliveries the receiver got more than once (same event id). */
  readonly duplicates: number;
  /** Refs whose event chain is broken or does not end at the ref's sha: must be empty. */
  readonly brokenChains: string[];
  /** Events recorded but never received: must be empty. */
  readonly undelivered: string[];
  readonly badSignatures: number;
  /** Deliveries left pending/in_flight/failed in the database: must be 0. */
  readonly unsettled: number;
}

const SECRET = 'crash-loop-secret-3f9d';

interface EventRow {
  id: string;
  repository: string;
  ref: string;
  before: string | null;
  after: string | null;
  transition: number;
}

export async function runCrashLoop(options: CrashLoopOptions): Promise<CrashLoopResult> {
  const random = options.random ?? Math.random;
  const log = options.log ?? (() => undefined);
  const factory = await createGitRepoFactory();
  const receiver = await createWebhookReceiver({ secret: SECRET });
  const dir = await mkdtemp(path.join(tmpdir(), 'rs-crash-loop-'));
  let current: DaemonProcess | undefined;
  let committing = true;
  let committer: Promise<void> = Promise.resolve();
  try {
    const repos: BareRepo[] = [];
    // Per repository, the two shas its `flip` branch is moved between (A->B->A->B ...).
    const flips: [string, string][] = [];
    for (let i = 0; i < options.repositories; i += 1) {
      const repo = await factory.createBareRepo(`org/repo${i}`);
      const a = await repo.commit('main', 'initial');
      await repo.createBranch('flip', a);
      const b = await repo.commit('flip', 'the other side of flip');
      repos.push(repo);
      flips.push([a, b]);
    }
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

    // Commits land continuously on random repositories: updates, new branches, deletions, tags,
    // a branch moved back and forth between two shas, and a tag deleted and pushed again at the
    // same commit (transitions that really happen again and must fire again).
    let commits = 0;
    committer = (async () => {
      let n = 0;
      while (committing) {
        const index = Math.floor(random() * repos.length);
        const repo = repos[index]!;
        const roll = random();
        n += 1;
        if (roll < 0.45) await repo.commit('main', `change ${n}`);
        else if (roll < 0.6) await repo.createBranch(`topic/${n}`, 'main');
        else if (roll < 0.68) {
          const topics = [...(await repo.refs()).keys()].filter((r) =>
            r.startsWith('refs/heads/topic/'),
          );
          const victim = topics[Math.floor(random() * topics.length)];
          if (victim) await repo.deleteBranch(victim.slice('refs/heads/'.length));
        } else if (roll < 0.75) await repo.tag(`v${n}`, 'main');
        else if (roll < 0.9) {
          const [a, b] = flips[index]!;
          await repo.forcePush('flip', (await repo.resolve('flip')) === a ? b : a);
        } else if ((await repo.refs()).has('refs/tags/again')) await repo.deleteTag('again');
        else await repo.tag('again', flips[index]![0]);
        commits += 1;
        await new Promise((r) => setTimeout(r, 50 + random() * 150));
      }
    })();

    for (let kill = 0; kill < options.kills; kill += 1) {
      receiver.delay(random() < 0.5 ? Math.floor(random() * 200) : 0);
      current = startDaemonProcess(configFile, env);
      await current.apiPort(30_000);
      await new Promise((r) => setTimeout(r, 100 + random() * (options.maxRunMs - 100)));
      current.kill('SIGKILL');
      await current.exited();
      log(
        `kill ${kill + 1}/${options.kills}: ${commits} commits, ${receiver.requests.length} requests`,
      );
    }
    committing = false;
    await committer;
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
      events = db
        .prepare(
          `SELECT id, repository, ref, before_sha AS before, after_sha AS after,
             transition_number AS transition FROM events ORDER BY seq`,
        )
        .all() as EventRow[];
      unsettled = db
        .prepare("SELECT count(*) FROM deliveries WHERE status <> 'delivered'")
        .pluck()
        .get() as number;
    } finally {
      db.close();
    }
    const brokenChains: string[] = [];
    for (const [i, repo] of repos.entries()) {
      const actual = await repo.refs();
      const byRef = new Map<string, EventRow[]>();
      for (const e of events.filter((e) => e.repository === `repo${i}`))
        byRef.set(e.ref, [...(byRef.get(e.ref) ?? []), e]);
      for (const [ref, chain] of byRef) {
        // Each transition once: numbered 1, 2, 3 ... in the order recorded, none twice or skipped.
        chain.forEach((e, k) => {
          if (e.transition !== k + 1)
            brokenChains.push(`repo${i} ${ref}: event ${k} has transition ${e.transition}`);
        });
        for (let k = 1; k < chain.length; k += 1) {
          if (chain[k]!.before !== chain[k - 1]!.after)
            brokenChains.push(
              `repo${i} ${ref}: event ${k} starts at ${chain[k]!.before}, previous ended at ${chain[k - 1]!.after}`,
            );
        }
        const last = chain.at(-1)!;
        if (last.after !== (actual.get(ref) ?? null))
          brokenChains.push(
            `repo${i} ${ref}: last event ends at ${last.after}, ref is at ${actual.get(ref) ?? 'deleted'}`,
          );
      }
    }
    const received = new Map<string, number>();
    for (const id of receiver.deliveredIds()) received.set(id, (received.get(id) ?? 0) + 1);
    const duplicates = [...received.values()].reduce((sum, n) => sum + (n - 1), 0);
    const seen = new Set<string>();
    let repeated = 0;
    for (const e of events) {
      const key = [e.repository, e.ref, e.before, e.after].join(' ');
      if (seen.has(key)) repeated += 1;
      seen.add(key);
    }
    return {
      kills: options.kills,
      commits,
      events: events.length,
      repeated,
      delivered: received.size,
      duplicates,
      brokenChains,
      undelivered: events.filter((e) => !received.has(e.id)).map((e) => e.id),
      badSignatures: receiver.requests.filter((r) => r.signatureValid !== true).length,
      unsettled,
    };
  } finally {
    committing = false;
    await committer.catch(() => undefined);
    current?.kill('SIGKILL');
    await receiver.close();
    await factory.cleanup();
    await rm(dir, { recursive: true, force: true });
  }
}
