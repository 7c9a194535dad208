/**
 * The daemon's transport as the transport scenario drives it: a RequestOpener (undici) for the
 * GitHub API under createGithubFetch and another for deliveries under sendDelivery, as the
 * daemon's composition roots create them, closed at the end. Also what it is given to send: the
 * repositories and the signed deliveries.
 */
import type { RepositoryConfig } from '../src/config/config-types.js';
import { eventIdOf, type ChangeEvent } from '../src/events/change-event.js';
import { createGithubFetch, type FetchLike } from '../src/gitclient/github-fetch.js';
import { GithubClient } from '../src/gitclient/github/github-client.js';
import { MemoryHttpCache } from '../src/gitclient/http-cache.js';
import { RequestOpener } from '../src/http/open-request.js';
import type { Logger } from '../src/logging/create-logger.js';
import { buildPayload } from '../src/trigger/payloads/build-payload.js';
import { sendDelivery, type DeliveryOutcome } from '../src/trigger/send-delivery.js';
import { signDelivery } from '../src/trigger/sign-delivery.js';
import { VERSION } from '../src/version.js';
import { BENCH_SECRET, BENCH_TOKEN } from './bench-config.js';
import { repoName } from './bench-github.js';
import type { TransportServers } from './transport-servers-child.js';

/** The default of tekton.timeout. */
const DELIVERY_TIMEOUT_MS = 10_000;

export interface SignedDelivery {
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface Transport {
  readonly github: GithubClient;
  deliver(delivery: SignedDelivery): Promise<DeliveryOutcome>;
  close(): void;
}

/** The daemon's transport: its own connections for the GitHub API and for deliveries. */
export function createTransport(
  log: Logger,
  signal: AbortSignal,
  servers: TransportServers,
): Transport {
  const githubOpener = new RequestOpener();
  const deliveryOpener = new RequestOpener();
  return {
    github: githubClient(log, createGithubFetch({ opener: githubOpener })),
    deliver: (delivery) =>
      sendDelivery({
        url: servers.receiverUrl,
        body: delivery.body,
        headers: delivery.headers,
        timeoutMs: DELIVERY_TIMEOUT_MS,
        signal,
        opener: deliveryOpener,
      }),
    close() {
      githubOpener.close();
      deliveryOpener.close();
    },
  };
}

/** A GithubClient as the daemon builds it for the bench's config, on `fetch`. */
function githubClient(log: Logger, fetch: FetchLike): GithubClient {
  return new GithubClient({
    log,
    cache: new MemoryHttpCache(),
    rateLimit: { requestsPerHour: 10_000_000, requestsPerMinute: 0, burst: 1 },
    retryAttempts: 0,
    retryBackoffMs: 1000,
    userAgent: `RepoSentry/${VERSION}`,
    fetch,
  });
}

export function repositoryConfig(servers: TransportServers, index: number): RepositoryConfig {
  const name = repoName(index);
  return {
    name,
    url: `${servers.githubUrl}/bench-org/${name}`,
    provider: 'github',
    token: BENCH_TOKEN,
    branchPattern: '.*',
    branchRegex: /.*/,
    pollingIntervalMs: 60_000,
    apiBaseUrl: servers.apiBaseUrl,
    enabled: true,
    eventListenerUrl: servers.receiverUrl,
    payloadFormat: 'github',
  };
}

/** `count` payloads as the delivery worker sends them: built, then signed for attempt 1. */
export function signedDeliveries(count: number, servers: TransportServers): SignedDelivery[] {
  return Array.from({ length: count }, (_, i) => {
    const name = repoName(i);
    const ref = 'refs/heads/main';
    const before = (2 * i).toString(16).padStart(40, '0');
    const after = (2 * i + 1).toString(16).padStart(40, '0');
    const event: ChangeEvent = {
      id: eventIdOf(name, ref, before, after, 1),
      type: 'branch.updated',
      repository: { name, url: `${servers.githubUrl}/bench-org/${name}`, provider: 'github' },
      ref,
      before,
      after,
      transition: 1,
      detectedAt: new Date(),
    };
    const built = buildPayload('github', event, { version: VERSION, extraHeaders: {} });
    return {
      body: built.body,
      headers: { ...built.headers, ...signDelivery('github', built.body, BENCH_SECRET, 1) },
    };
  });
}
