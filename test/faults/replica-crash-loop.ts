/**
 * The crash scenario of test/faults/crash-loop.ts with replicas: several `reposentry run`
 * processes share one PostgreSQL database, commits land continuously on bare repositories served
 * over HTTP by git-http-backend, and a random replica is SIGKILLed and started again, over and
 * over. At the end, besides what the single-daemon loop checks (every ref's events form an
 * unbroken chain ending at its real sha, every event was delivered, duplicates counted), it
 * reports what the loopback git server saw of the polling: which replica listed which repository
 * when (each replica process gets its own git HOME whose `http.extraHeader` names it in a Basic
 * credential, which the server records), and from that the listings of one repository by two
 * replicas within one interval and the longest time a repository went unlisted.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ReplicaListSchema } from '../../src/api/schemas/replica-schemas.js';
import { writeDaemonConfig } from '../helpers/daemon-config.js';
import { startDaemonProcess, type DaemonProcess } from '../helpers/daemon-process.js';
import { createGitHttpServer, type GitHttpServer } from '../helpers/git-http-server.js';
import { createGitRepoFactory } from '../helpers/git-repo-factory.js';
import { createTestDatabase } from '../helpers/postgres-database.js';
import { createWebhookReceiver } from '../helpers/webhook-receiver.js';
import { createMixRepos, startCommitMix, type CommitMix } from './commit-mix.js';
import { crashOutcome, EVENTS_SQL, type CrashOutcome, type EventRow } from './crash-outcome.js';

export interface ReplicaCrashLoopOptions {
  readonly replicas: number;
  readonly kills: number;
  readonly repositories: number;
  /** polling.interval (jitter 0). */
  readonly intervalMs: number;
  /** ha.lease_ttl. */
  readonly ttlMs: number;
  /** Shortest and longest pause between two kills. */
  readonly pauseMs: readonly [number, number];
  /** Two listings of a repository by different replicas closer than interval - this: a violation. */
  readonly overlapToleranceMs: number;
  /** A repository unlisted longer than interval + ttl + this: a violation. */
  readonly gapToleranceMs: number;
  readonly random?: () => number;
  readonly log?: (line: string) => void;
  /**
   * The whole run gives up (and cleans up) after this long: keep it below the test's timeout,
   * or a timed-out test leaves its daemons running.
   */
  readonly budgetMs: number;
  /** Where to write each replica's stdout/stderr (`<name>.log`) at the end, when given. */
  readonly logDir?: string;
}

/** One `git ls-remote` as the git server saw it (its GET of info/refs). */
export interface Listing {
  readonly repository: string;
  /** The replica process (`r1`, `r2` ... in start order). */
  readonly replica: string;
  /** ms since the scenario started. */
  readonly at: number;
}

export interface Violation {
  readonly repository: string;
  readonly first: Listing;
  /** Undefined for a gap that ran to the end of the observation. */
  readonly second: Listing | undefined;
  readonly apartMs: number;
  /** The kills and starts around it, for the reader. */
  readonly context: string;
}

export interface ReplicaCrashLoopResult extends CrashOutcome {
  readonly kills: number;
  readonly starts: number;
  readonly commits: number;
  /** Deliveries left pending/in_flight/failed in the database: must be 0. */
  readonly unsettled: number;
  readonly listings: number;
  /** Listings whose replica the git server could not tell: must be 0. */
  readonly unattributed: number;
  /** Per repository, how many distinct replicas listed it (hand-overs happened). */
  readonly listersPerRepository: Record<string, number>;
  /** Listings of one repository by two replicas less than interval - tolerance apart. */
  readonly sameInterval: Violation[];
  /** The closest two listings of one repository by different replicas came (ms). */
  readonly closestHandOverMs: number;
  /** Times a repository went unlisted longer than interval + ttl + tolerance. */
  readonly gaps: Violation[];
  /** The longest time any repository went unlisted (ms). */
  readonly longestGapMs: number;
  /**
   * After each kill, per repository the killed replica listed last: how long from the kill until
   * another replica listed it (ms), as `repository killed-replica +delay by-replica`, slowest
   * first. Printed, not asserted: the taker may rightly wait for the stored next poll time.
   */
  readonly handOversAfterKills: string[];
  /** The longest of those (ms). */
  readonly slowestHandOverMs: number;
  /**
   * The longest time between two listings of a repository by one replica that did not hand it
   * over meanwhile (its interval plus its poll's own duration: the next poll is scheduled an
   * interval after one ends).
   */
  readonly longestOwnSpacingMs: number;
  /** What was wrong with the replicas' `GET /api/v1/replicas` answers at the end. */
  readonly replicaProblems: string[];
  /** Per repository, every listing as `replica@seconds`, for the reader. */
  readonly listingsByRepository: string[];
  /** The daemons' warnings and errors (but the config's), with how many of each. */
  readonly warnings: string[];
  /** Replica processes whose stdout/stderr contained the database password. */
  readonly passwordLeaks: string[];
  /** Replica processes that did not exit 0 on SIGTERM at the end. */
  readonly uncleanStops: string[];
  readonly durationMs: number;
}

const SECRET = 'replica-crash-loop-secret-5b2e';

interface Replica {
  readonly name: string;
  readonly process: DaemonProcess;
  readonly startedAt: number;
  /** When /readyz first answered 200 (ms since the start). */
  readyAt?: number;
  killedAt?: number;
}

export async function runReplicaCrashLoop(
  options: ReplicaCrashLoopOptions,
): Promise<ReplicaCrashLoopResult> {
  const random = options.random ?? Math.random;
  const log = options.log ?? (() => undefined);
  const t0 = Date.now();
  const since = (at: number): number => at - t0;
  /** What is left of the budget, for a wait on `what`; throws when nothing is. */
  const left = (what: string): number => {
    const ms = t0 + options.budgetMs - Date.now();
    if (ms <= 0) throw new Error(`${what}: over the budget of ${options.budgetMs} ms`);
    return ms;
  };
  const factory = await createGitRepoFactory();
  const server = await createGitHttpServer({ root: factory.root });
  const receiver = await createWebhookReceiver({ secret: SECRET });
  const database = await createTestDatabase();
  const dir = await mkdtemp(path.join(tmpdir(), 'rs-replica-crash-loop-'));
  const password = `pw-${randomBytes(9).toString('hex')}`;
  const databaseUrl = new URL(database.url);
  databaseUrl.password = password;
  const sql = new pg.Client({ connectionString: database.url });
  const everyProcess: Replica[] = [];
  // Should the run be cut short all the same (the worker exits), no daemon outlives it.
  const killAll = (): void => {
    for (const r of everyProcess) r.process.kill('SIGKILL');
  };
  process.once('exit', killAll);
  const listings: Listing[] = [];
  let unattributed = 0;
  const stopRecording = recordListings(server, (repository, user, at) => {
    if (user === undefined) unattributed += 1;
    else listings.push({ repository, replica: user, at: since(at) });
  });
  let mix: CommitMix | undefined;
  try {
    await sql.connect();
    const mixRepos = await createMixRepos(factory, options.repositories);
    const { repos } = mixRepos;
    const names = repos.map((_, i) => `repo${i}`);
    const configFile = await writeDaemonConfig(dir, receiver.url, {
      app: { log_level: 'info' },
      polling: { interval: `${options.intervalMs}ms`, jitter: 0 },
      ha: { lease_ttl: `${options.ttlMs}ms` },
      storage: {
        type: 'postgres',
        postgres: { url: '${REPOSENTRY_DATABASE_URL}', max_connections: 4 },
      },
      tekton: {
        secret: '${WEBHOOK_SECRET}',
        retry_attempts: 1000,
        retry_backoff: '100ms',
        max_retry_backoff: '300ms',
      },
      repositories: repos.map((repo, i) => ({
        name: names[i],
        url: server.urlFor(repo.relativePath),
        provider: 'git',
        branch_regex: '.*',
        tag_regex: '.*',
      })),
    });

    let started = 0;
    const start = async (): Promise<Replica> => {
      started += 1;
      const name = `r${started}`;
      // The git server tells the replicas apart by the user of this Basic credential.
      const home = path.join(dir, `home-${name}`);
      await mkdir(home);
      const basic = Buffer.from(`${name}:x`).toString('base64');
      await writeFile(
        path.join(home, '.gitconfig'),
        `[http]\n\textraHeader = Authorization: Basic ${basic}\n`,
      );
      const replica: Replica = {
        name,
        startedAt: since(Date.now()),
        process: startDaemonProcess(configFile, {
          HOME: home,
          REPOSENTRY_DATABASE_URL: databaseUrl.toString(),
          WEBHOOK_SECRET: SECRET,
        }),
      };
      everyProcess.push(replica);
      replica.process.ready(left('a replica start')).then(
        () => {
          replica.readyAt = since(Date.now());
        },
        () => undefined,
      );
      return replica;
    };
    const slots: Replica[] = [];
    for (let slot = 0; slot < options.replicas; slot += 1) slots.push(await start());
    await Promise.all(slots.map((r) => r.process.ready(left('the first replicas'))));
    log(`${slots.length} replicas ready after ${since(Date.now())} ms`);

    // Commits land continuously, as in crash-loop.ts (commit-mix.ts).
    mix = startCommitMix(mixRepos, { random, pauseMs: [100, 300] });

    // A random ready replica is killed and a new one started in its place, while at least one
    // other is ready to take its repositories over (as a PodDisruptionBudget would keep one up):
    // the hand-over, not a start-up, is what is timed.
    const [minPause, maxPause] = options.pauseMs;
    for (let kill = 0; kill < options.kills; kill += 1) {
      receiver.delay(random() < 0.5 ? Math.floor(random() * 200) : 0);
      await sleep(minPause + random() * (maxPause - minPause));
      while (slots.filter((r) => r.readyAt !== undefined).length < 2) {
        left('waiting for 2 ready replicas');
        await sleep(25);
      }
      const ready = slots.filter((r) => r.readyAt !== undefined);
      const victim = ready[Math.floor(random() * ready.length)]!;
      victim.killedAt = since(await killContainer(victim.process));
      const next = await start();
      slots[slots.indexOf(victim)] = next;
      log(
        `kill ${kill + 1}/${options.kills}: ${victim.name} at ${victim.killedAt} ms, ` +
          `${next.name} started; ${mix.commits} commits, ${receiver.requests.length} requests`,
      );
    }
    await Promise.all(slots.map((r) => r.process.ready(left('the last replicas'))));
    await mix.stop();
    receiver.delay(0);

    // Settled: every repository polled since the last commit, nothing left to deliver.
    const lastCommitAt = Date.now();
    const settled = async (): Promise<boolean> => {
      const polled = await sql.query<{ n: string }>(
        'SELECT count(*) AS n FROM poll_state WHERE last_success_at > $1',
        [lastCommitAt],
      );
      const open = await sql.query<{ n: string }>(
        "SELECT count(*) AS n FROM deliveries WHERE status IN ('pending', 'in_flight')",
      );
      return Number(polled.rows[0]?.n) === repos.length && Number(open.rows[0]?.n) === 0;
    };
    while (!(await settled())) {
      left('settling');
      await sleep(100);
    }

    const replicaProblems = await checkReplicaViews(
      slots,
      names,
      options.ttlMs,
      Date.now() + Math.min(4 * options.ttlMs, left('the replicas API')),
    );
    const stopAt = since(Date.now());
    for (const r of slots) r.process.kill('SIGTERM');
    const uncleanStops: string[] = [];
    for (const r of slots) {
      const code = await r.process.exited();
      if (code !== 0) uncleanStops.push(`${r.name} exited ${code}:\n${r.process.output()}`);
    }
    stopRecording();

    const events = (await sql.query<EventRow>(EVENTS_SQL)).rows;
    const unsettledRow = await sql.query<{ n: string }>(
      "SELECT count(*) AS n FROM deliveries WHERE status <> 'delivered'",
    );
    const actual = new Map<string, ReadonlyMap<string, string>>();
    for (const [i, repo] of repos.entries()) actual.set(names[i]!, await repo.refs());

    const observed = listings.filter((l) => l.at <= stopAt);
    const timeline = new Timeline(everyProcess, t0);
    const polling = judgePolling(observed, names, stopAt, options, timeline);
    return {
      kills: options.kills,
      starts: everyProcess.length,
      commits: mix.commits,
      ...crashOutcome(events, actual, receiver),
      unsettled: Number(unsettledRow.rows[0]?.n),
      listings: observed.length,
      unattributed,
      listingsByRepository: names.map(
        (name) =>
          `${name}: ${observed
            .filter((l) => l.repository === name)
            .map((l) => `${l.replica}@${(l.at / 1000).toFixed(2)}`)
            .join(' ')}`,
      ),
      ...polling,
      replicaProblems,
      warnings: countWarnings(everyProcess),
      passwordLeaks: everyProcess
        .filter((r) => r.process.output().includes(password))
        .map((r) => r.name),
      uncleanStops,
      durationMs: Date.now() - t0,
    };
  } finally {
    process.off('exit', killAll);
    await mix?.stop().catch(() => undefined);
    for (const r of everyProcess) r.process.kill('SIGKILL');
    await Promise.all(everyProcess.map((r) => r.process.exited()));
    stopRecording();
    if (options.logDir !== undefined) {
      await mkdir(options.logDir, { recursive: true });
      for (const r of everyProcess)
        await writeFile(path.join(options.logDir, `${r.name}.log`), r.process.output());
    }
    await sql.end().catch(() => undefined);
    await database.drop().catch(() => undefined);
    await server.close();
    await receiver.close();
    await factory.cleanup();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * SIGKILLs the daemon and, as the kill of its container would, the git it is running: the daemon
 * starts each git in a process group of its own (to kill git and its helpers on a timeout), so
 * they would outlive it and list refs after its death. Returns when the daemon was killed.
 */
async function killContainer(daemon: DaemonProcess): Promise<number> {
  const pid = daemon.child.pid;
  const groups = pid === undefined ? [] : await childrenOf(pid);
  daemon.kill('SIGKILL');
  const at = Date.now();
  for (const child of groups) {
    for (const target of [-child, child]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // gone already, or not a group leader
      }
    }
  }
  await daemon.exited();
  return at;
}

/** The processes whose parent is `pid` (Linux /proc). */
async function childrenOf(pid: number): Promise<number[]> {
  const children: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // pid (comm) state ppid ...: comm may hold spaces and parentheses.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === pid) children.push(Number(entry));
  }
  return children;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Calls `onListing` for every GET of `<repo>.git/info/refs` (the start of a `git ls-remote`)
 * the server receives, with the moment it arrived: the server resolves its waiters as a request
 * comes in, so a waiter chained request after request sees each one at once.
 */
function recordListings(
  server: GitHttpServer,
  onListing: (repository: string, user: string | undefined, at: number) => void,
): () => void {
  let stopped = false;
  let handled = 0;
  void (async () => {
    while (!stopped) {
      await server.waitForRequest(handled + 1);
      const at = Date.now();
      for (; handled < server.requests.length && !stopped; handled += 1) {
        const request = server.requests[handled]!;
        const match = /\/([^/]+)\.git\/info\/refs$/.exec(request.path);
        if (request.method === 'GET' && match?.[1] !== undefined) {
          onListing(match[1], request.user, at);
        }
      }
    }
  })();
  return () => {
    stopped = true;
  };
}

/**
 * When each replica process started, was ready and was killed, what it logged about taking over
 * and handing over repositories, and its warnings and errors: to explain a violation.
 */
class Timeline {
  private readonly notes: { at: number; repository: string | undefined; text: string }[] = [];

  constructor(
    private readonly processes: readonly Replica[],
    t0: number,
  ) {
    for (const r of processes) {
      for (const line of r.process.output().split('\n')) {
        const entry = parseLogLine(line);
        if (entry === undefined) continue;
        const note = (text: string): void => {
          this.notes.push({ at: entry.at - t0, repository: entry.repo, text });
        };
        if (entry.message === 'Repository taken over') note(`${r.name} took it over`);
        else if (entry.message.includes('handed over')) note(`${r.name} handed it over`);
        else if (
          (entry.level === 'warn' || entry.level === 'error') &&
          entry.message !== 'Config warning'
        )
          note(`${r.name} ${entry.level}: ${entry.message}${entry.code ? ` (${entry.code})` : ''}`);
      }
    }
  }

  /** Every kill: which replica, when (ms since the start). */
  kills(): { replica: string; at: number }[] {
    return this.processes.flatMap((r) =>
      r.killedAt === undefined ? [] : [{ replica: r.name, at: r.killedAt }],
    );
  }

  /** Whether some replica logged handing `repository` over between `from` and `to`. */
  handedOver(repository: string, from: number, to: number): boolean {
    return this.notes.some(
      (n) =>
        n.repository === repository &&
        n.at > from &&
        n.at < to &&
        n.text.endsWith('handed it over'),
    );
  }

  /**
   * The kills, starts, hand-overs of `repository` and warnings from `from` to `to` (ms since
   * the start).
   */
  between(repository: string, from: number, to: number): string {
    const items: { at: number; text: string }[] = [];
    const add = (at: number | undefined, text: string): void => {
      if (at !== undefined && at >= from && at <= to) items.push({ at, text });
    };
    for (const r of this.processes) {
      add(r.startedAt, `${r.name} started`);
      add(r.readyAt, `${r.name} ready`);
      add(r.killedAt, `${r.name} SIGKILLed`);
    }
    for (const note of this.notes) {
      if (note.repository === undefined || note.repository === repository) add(note.at, note.text);
    }
    items.sort((a, b) => a.at - b.at);
    if (items.length === 0) return 'no kill, start or hand-over meanwhile';
    return items.map((i) => `${i.text} at ${seconds(i.at)}`).join(', ');
  }
}

function countWarnings(processes: readonly Replica[]): string[] {
  const counts = new Map<string, number>();
  for (const r of processes) {
    for (const line of r.process.output().split('\n')) {
      const entry = parseLogLine(line);
      if (entry === undefined || entry.message === 'Config warning') continue;
      if (entry.level !== 'warn' && entry.level !== 'error') continue;
      const why = [entry.code, entry.error].filter((x) => x !== undefined).join(': ');
      const key = `${entry.level}: ${entry.message}${why ? ` (${why})` : ''}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return [...counts].map(([key, n]) => `${n} x ${key}`);
}

interface LogEntry {
  readonly at: number;
  readonly level: string;
  readonly message: string;
  readonly repo: string | undefined;
  readonly code: string | undefined;
  readonly error: string | undefined;
}

function parseLogLine(line: string): LogEntry | undefined {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const { timestamp, level, message, repo, code, error } = entry;
  if (typeof timestamp !== 'string' || typeof message !== 'string') return undefined;
  return {
    at: Date.parse(timestamp),
    level: typeof level === 'string' ? level : '',
    message,
    repo: typeof repo === 'string' ? repo : undefined,
    code: typeof code === 'string' ? code : undefined,
    error: typeof error === 'string' ? error.slice(0, 160) : undefined,
  };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(3)}s`;
}

/**
 * From the listings the git server saw: pairs of listings of one repository by different
 * replicas less than `interval - overlapTolerance` apart, and stretches longer than
 * `interval + ttl + gapTolerance` without a listing (one more ttl for each further replica
 * SIGKILLed within the stretch: each death hands over within a ttl), from each repository's
 * first listing to the end of the observation.
 */
function judgePolling(
  listings: readonly Listing[],
  repositories: readonly string[],
  observedUntil: number,
  options: Pick<
    ReplicaCrashLoopOptions,
    'intervalMs' | 'ttlMs' | 'overlapToleranceMs' | 'gapToleranceMs'
  >,
  timeline: Timeline,
): Pick<
  ReplicaCrashLoopResult,
  | 'sameInterval'
  | 'closestHandOverMs'
  | 'gaps'
  | 'longestGapMs'
  | 'longestOwnSpacingMs'
  | 'listersPerRepository'
  | 'handOversAfterKills'
  | 'slowestHandOverMs'
> {
  const sameInterval: Violation[] = [];
  const gaps: Violation[] = [];
  const listersPerRepository: Record<string, number> = {};
  let closestHandOverMs = Number.POSITIVE_INFINITY;
  let longestGapMs = 0;
  let longestOwnSpacingMs = 0;
  const minApart = options.intervalMs - options.overlapToleranceMs;
  const maxGap = options.intervalMs + options.ttlMs + options.gapToleranceMs;
  for (const repository of repositories) {
    const mine = listings.filter((l) => l.repository === repository).sort((a, b) => a.at - b.at);
    listersPerRepository[repository] = new Set(mine.map((l) => l.replica)).size;
    for (const [i, first] of mine.entries()) {
      for (const second of mine.slice(i + 1)) {
        const apartMs = second.at - first.at;
        if (apartMs >= options.intervalMs * 2) break;
        if (second.replica === first.replica) continue;
        closestHandOverMs = Math.min(closestHandOverMs, apartMs);
        if (apartMs < minApart) {
          sameInterval.push({
            repository,
            first,
            second,
            apartMs,
            context: timeline.between(repository, first.at - options.ttlMs, second.at),
          });
        }
      }
    }
    if (mine.length === 0) {
      gaps.push({
        repository,
        first: { repository, replica: 'none', at: 0 },
        second: undefined,
        apartMs: observedUntil,
        context: 'never listed',
      });
      continue;
    }
    const stretches = mine.map((first, i) => ({ first, second: mine[i + 1] }));
    for (const { first, second } of stretches) {
      const apartMs = (second?.at ?? observedUntil) - first.at;
      longestGapMs = Math.max(longestGapMs, apartMs);
      if (
        second?.replica === first.replica &&
        !timeline.handedOver(repository, first.at, second.at)
      )
        longestOwnSpacingMs = Math.max(longestOwnSpacingMs, apartMs);
      // Each replica that died in the stretch (the holder, then perhaps the one that had taken
      // it over) hands over within the ttl: a chain of deaths may add a ttl each.
      const deaths = timeline
        .kills()
        .filter((kill) => kill.at > first.at && kill.at < (second?.at ?? observedUntil)).length;
      const allowedMs = maxGap + options.ttlMs * Math.max(0, deaths - 1);
      if (apartMs > allowedMs) {
        gaps.push({
          repository,
          first,
          second,
          apartMs,
          context: timeline.between(
            repository,
            first.at - options.ttlMs,
            second?.at ?? observedUntil,
          ),
        });
      }
    }
  }
  const handOvers: { text: string; delayMs: number }[] = [];
  for (const kill of timeline.kills()) {
    for (const repository of repositories) {
      const mine = listings.filter((l) => l.repository === repository);
      const before = mine.filter((l) => l.at <= kill.at).at(-1);
      if (before?.replica !== kill.replica) continue;
      const after = mine.find((l) => l.at > kill.at && l.replica !== kill.replica);
      const delayMs = (after?.at ?? observedUntil) - kill.at;
      handOvers.push({
        delayMs,
        text: `${repository} ${kill.replica} +${delayMs} ms ${after?.replica ?? 'nobody'}`,
      });
    }
  }
  handOvers.sort((a, b) => b.delayMs - a.delayMs);
  return {
    handOversAfterKills: handOvers.map((h) => h.text),
    slowestHandOverMs: handOvers[0]?.delayMs ?? 0,
    sameInterval,
    closestHandOverMs,
    gaps,
    longestGapMs,
    longestOwnSpacingMs,
    listersPerRepository,
  };
}

/** A violation as one line: repository, the two listings, how far apart, kills around it. */
export function describeViolation(v: Violation): string {
  const first = `${v.first.replica} at ${seconds(v.first.at)}`;
  const second = v.second
    ? `${v.second.replica} at ${seconds(v.second.at)}`
    : 'the end of the observation';
  return `${v.repository}: listed by ${first}, next ${second} (${v.apartMs} ms apart; ${v.context})`;
}

/**
 * Asks every running replica `GET /api/v1/replicas` until the answers agree with what runs: a
 * valid ReplicaList, itself once as `self`, exactly the running processes live, and the
 * repositories held by the live ones, each once. Returns what was still wrong at `deadline`.
 */
async function checkReplicaViews(
  running: readonly Replica[],
  repositories: readonly string[],
  ttlMs: number,
  deadline: number,
): Promise<string[]> {
  const runningPids = running.map((r) => r.process.child.pid).sort();
  for (;;) {
    const problems: string[] = [];
    for (const replica of running) {
      const base = `http://127.0.0.1:${await replica.process.apiPort()}`;
      const res = await fetch(`${base}/api/v1/replicas`, { signal: AbortSignal.timeout(5_000) });
      const parsed = ReplicaListSchema.safeParse(await res.json());
      if (res.status !== 200 || !parsed.success) {
        problems.push(`${replica.name}: ${res.status}, not a ReplicaList`);
        continue;
      }
      const view = parsed.data;
      const self = view.replicas.filter((r) => r.self);
      const live = view.replicas.filter((r) => r.live);
      const held = live.flatMap((r) => r.repositories).sort();
      if (view.storage !== 'postgres' || view.leaseTtlSeconds !== ttlMs / 1000)
        problems.push(`${replica.name}: storage ${view.storage}, ttl ${view.leaseTtlSeconds}s`);
      if (self.length !== 1 || self[0]?.pid !== replica.process.child.pid)
        problems.push(`${replica.name}: self is ${JSON.stringify(self.map((r) => r.pid))}`);
      const livePids = live.map((r) => r.pid).sort();
      if (livePids.join() !== runningPids.join())
        problems.push(`${replica.name}: live ${livePids.join()}, running ${runningPids.join()}`);
      if (held.join() !== [...repositories].sort().join())
        problems.push(`${replica.name}: the live replicas hold ${held.join() || 'nothing'}`);
    }
    if (problems.length === 0 || Date.now() > deadline) return problems;
    await sleep(200);
  }
}
