/**
 * The two transports the transport scenario compares, each as the daemon would hold it: its own
 * connections for the GitHub API and for deliveries, closed at the end. (a) node:http, ours:
 * createNodeHttpFetch and sendDelivery over RequestOpeners. (b) undici 7: the FetchLike of
 * undici-fetch.ts and the delivery POST of undici-delivery.ts, each on its own Agent. Also what
 * both are given to send: the repositories and the signed deliveries.
 */
import type { RepositoryConfig } from '../src/config/config-types.js';
import { eventIdOf, type ChangeEvent } from '../src/events/change-event.js';
import { GithubClient } from '../src/gitclient/github/github-client.js';
import { MemoryHttpCache } from '../src/gitclient/http-cache.js';
import { createNodeHttpFetch, type FetchLike } from '../src/gitclient/node-http-fetch.js';
import { RequestOpener } from '../src/http/open-request.js';
import type { Logger } from '../src/logging/create-logger.js';
import { buildPayload } from '../src/trigger/payloads/build-payload.js';
import { sendDelivery, type DeliveryOutcome } from '../src/trigger/send-delivery.js';
import { signDelivery } from '../src/trigger/sign-delivery.js';
import { VERSION } from '../src/version.js';
import { BENCH_SECRET, BENCH_TOKEN } from './bench-config.js';
import { repoName } from './bench-github.js';
import type { TransportServers } from './transport-servers-child.js';
import { sendDeliveryWithUndici } from './undici-delivery.js';
import { createUndiciAgent, createUndiciFetch, githubDispatcher } from './undici-fetch.js';

export const TRANSPORT_NAMES = ['node_http', 'undici'] as const;
export type TransportName = (typeof TRANSPORT_NAMES)[number];

export const TRANSPORT_LABELS: Record<TransportName, string> = {
  node_http: 'node:http (ours)',
  undici: 'undici 7',
};

/** The default of tekton.timeout. */
const DELIVERY_TIMEOUT_MS = 10_000;

export interface SignedDelivery {
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface Transport {
  readonly name: TransportName;
  readonly github: GithubClient;
  deliver(delivery: SignedDelivery): Promise<DeliveryOutcome>;
  close(): Promise<void>;
}

/** Both transports, in the order of TRANSPORT_NAMES. */
export function createTransports(
  log: Logger,
  signal: AbortSignal,
  servers: TransportServers,
): Transport[] {
  return [nodeHttpTransport(log, signal, servers), undiciTransport(log, signal, servers)];
}

function nodeHttpTransport(log: Logger, signal: AbortSignal, servers: TransportServers): Transport {
  const githubOpener = new RequestOpener();
  const deliveryOpener = new RequestOpener();
  return {
    name: 'node_http',
    github: githubClient(log, createNodeHttpFetch({ opener: githubOpener })),
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
      return Promise.resolve();
    },
  };
}

function undiciTransport(log: Logger, signal: AbortSignal, servers: TransportServers): Transport {
  const githubAgent = createUndiciAgent();
  const deliveryAgent = createUndiciAgent();
  return {
    name: 'undici',
    github: githubClient(log, createUndiciFetch(githubDispatcher(githubAgent))),
    deliver: (delivery) =>
      sendDeliveryWithUndici({
        url: servers.receiverUrl,
        body: delivery.body,
        headers: delivery.headers,
        timeoutMs: DELIVERY_TIMEOUT_MS,
        signal,
        dispatcher: deliveryAgent,
      }),
    async close() {
      await githubAgent.destroy();
      await deliveryAgent.destroy();
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
