/**
 * A running daemon (real storage, scheduler, git client, worker and API on port 0) watching one
 * bare repository and delivering to a receiver, for the API tests. Every answer fetched through
 * `call` (and `json`) is checked against the OpenAPI document (check-response.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createGitRepoFactory,
  type BareRepo,
  type GitRepoFactory,
} from '../helpers/git-repo-factory.js';
import { startTestDaemon, type TestDaemon } from '../helpers/start-test-daemon.js';
import { createWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { checkResponse } from './check-response.js';

export const API_TOKEN = 'api-token-for-tests-5c1e9a';
export const HOOK_SECRET = 'hook-secret-for-tests-77ab';

export interface ApiFixture {
  readonly daemon: TestDaemon;
  readonly repo: BareRepo;
  readonly receiver: WebhookReceiver;
  readonly base: string;
  /**
   * fetch relative to the API, optionally with the bearer token. Rejects when the answer does not
   * match the OpenAPI document (status, content type, JSON body), naming the route.
   */
  call(pathAndQuery: string, init?: RequestInit & { token?: string }): Promise<Response>;
  json<T = Record<string, unknown>>(pathAndQuery: string): Promise<T>;
  /** Polls `app` now and waits until the poll is recorded. */
  pollNow(): Promise<void>;
  close(): Promise<void>;
}

export async function startApiFixture(
  options: {
    authToken?: string;
    /** api.auth_reads: reads need the token too. */
    authReads?: boolean;
    keepAliveMs?: number;
    /** More entries of `repositories:` besides `app`. */
    repositories?: Record<string, unknown>[];
  } = {},
): Promise<ApiFixture> {
  const factory: GitRepoFactory = await createGitRepoFactory();
  const repo = await factory.createBareRepo('org/app');
  await repo.commit('main', 'first');
  const receiver = await createWebhookReceiver({ secret: HOOK_SECRET });
  const dataDir = await mkdtemp(path.join(tmpdir(), 'rs-api-'));
  const daemon = await startTestDaemon(
    {
      app: { data_dir: dataDir },
      api: {
        auth_token: options.authToken ?? API_TOKEN,
        ...(options.authReads === undefined ? {} : { auth_reads: options.authReads }),
      },
      polling: { interval: '1h', jitter: 0 },
      tekton: {
        event_listener_url: receiver.url,
        secret: HOOK_SECRET,
        retry_backoff: '100ms',
        max_retry_backoff: '200ms',
      },
      repositories: [
        { name: 'app', url: repo.fileUrl, provider: 'git', branch_regex: '.*', tag_regex: '^v' },
        ...(options.repositories ?? []),
      ],
    },
    {},
    { streamKeepAliveMs: options.keepAliveMs ?? 15_000 },
  );
  const base = daemon.baseUrl;
  const call = async (pathAndQuery: string, init: RequestInit & { token?: string } = {}) => {
    const { token, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (token !== undefined) headers.set('authorization', `Bearer ${token}`);
    const url = `${base}${pathAndQuery}`;
    const response = await fetch(url, { ...rest, headers });
    await checkResponse(rest.method ?? 'GET', url, response);
    return response;
  };
  const pollNow = async (): Promise<void> => {
    const d = daemon.daemon;
    const before = (await d.storage.pollStates.get('app'))?.lastPollAt ?? 0;
    for (let i = 0; i < 500 && d.scheduler.entry('app')?.state !== 'scheduled'; i += 1)
      await new Promise((r) => setTimeout(r, 10));
    d.scheduler.pollNow('app');
    for (let i = 0; i < 500; i += 1) {
      if (((await d.storage.pollStates.get('app'))?.lastPollAt ?? 0) > before) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('poll did not happen');
  };
  // The first poll (the baseline) runs at start: wait for it.
  for (
    let i = 0;
    i < 500 && (await daemon.daemon.storage.pollStates.get('app')) === undefined;
    i += 1
  )
    await new Promise((r) => setTimeout(r, 10));
  return {
    daemon,
    repo,
    receiver,
    base,
    call,
    json: async <T>(pathAndQuery: string) => (await (await call(pathAndQuery)).json()) as T,
    pollNow,
    close: async () => {
      await daemon.stop();
      await receiver.close();
      await factory.cleanup();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
