import type { DeliveryChange, EventFeed, FeedMessage } from '../api/event-feed.js';
import { errorCodeOf, errorMessageOf } from '../errors/reposentry-error.js';
import type { Logger } from '../logging/create-logger.js';
import type { Component, ComponentHealth } from '../runtime/component.js';
import type { Cluster } from '../storage/cluster.js';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../storage/storage-types.js';

export interface ClusterBridgeOptions {
  readonly cluster: Pick<Cluster, 'publish' | 'subscribe'>;
  /** This replica's id: its own messages come back and are skipped. */
  readonly replicaId: string;
  readonly feed: EventFeed;
  readonly log: Logger;
  /** Another replica recorded events or changed a delivery (wake the delivery worker). */
  readonly onRemoteChange: () => void;
  /** Another replica's API was asked to poll a repository now. */
  readonly onPollRequest: (repository: string, nudge: boolean) => void;
  /** Another replica stored a discovery list. */
  readonly onDiscoveryStored?: () => void;
}

/** PostgreSQL's NOTIFY payloads must stay below 8000 bytes (UTF-8). */
const MAX_PAYLOAD = 7000;

type WireMessage =
  | { readonly o: string; readonly k: 'events' }
  | { readonly o: string; readonly k: 'discovery' }
  | { readonly o: string; readonly k: 'delivery'; readonly c: WireChange }
  /** `n`: a webhook's nudge (see Scheduler.nudge) rather than an explicit poll-now. */
  | { readonly o: string; readonly k: 'poll'; readonly r: string; readonly n?: true };

type WireChange = Omit<DeliveryChange, 'at'> & { readonly at: string };

/**
 * Carries what one replica's event feed is told to every other replica (LISTEN/NOTIFY through
 * `Cluster`), so that the event stream of any replica shows the events and delivery changes of
 * all, and relays poll-now requests to whichever replica holds the repository. Like the feed it
 * carries nothing that is not also in storage: a lost message loses no data.
 */
export class ClusterBridge implements Component {
  readonly name = 'cluster-messages';
  private unsubscribe: (() => Promise<void>) | undefined;
  private received = 0;
  private sent = 0;
  private failed = 0;

  constructor(private readonly options: ClusterBridgeOptions) {}

  async start(): Promise<void> {
    this.unsubscribe = await this.options.cluster.subscribe(
      (payload) => this.receive(payload),
      () => {
        // Messages of the gap are lost: live readers read storage again, the worker looks again.
        this.options.feed.publish({ kind: 'events-recorded' });
        this.options.onRemoteChange();
      },
    );
  }

  async stop(): Promise<void> {
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = undefined;
    await unsubscribe?.().catch(() => undefined);
  }

  health(): ComponentHealth {
    const details = { received: this.received, sent: this.sent, sendFailures: this.failed };
    return { status: this.unsubscribe ? 'healthy' : 'stopped', details };
  }

  /** Tells every other replica what this one's feed was just told. */
  forward(message: FeedMessage): void {
    const origin = this.options.replicaId;
    if (message.kind === 'events-recorded') {
      this.send({ o: origin, k: 'events' });
      return;
    }
    const change: WireChange = { ...message.change, at: message.change.at.toISOString() };
    this.send({ o: origin, k: 'delivery', c: change });
  }

  /** Asks the replica that holds `repository` to poll it now (`nudge`: as a webhook would). */
  requestPoll(repository: string, nudge = false): void {
    this.send({
      o: this.options.replicaId,
      k: 'poll',
      r: repository,
      ...(nudge ? { n: true } : {}),
    });
  }

  /** Tells every other replica that this one stored a discovery list. */
  announceDiscovery(): void {
    this.send({ o: this.options.replicaId, k: 'discovery' });
  }

  private send(message: WireMessage): void {
    let payload = JSON.stringify(message);
    if (Buffer.byteLength(payload) > MAX_PAYLOAD && message.k === 'delivery') {
      const { error: _dropped, ...rest } = message.c;
      payload = JSON.stringify({ ...message, c: rest });
    }
    this.options.cluster.publish(payload).then(
      () => {
        this.sent += 1;
      },
      (err: unknown) => {
        this.failed += 1;
        this.options.log.warn('Could not tell the other replicas', {
          code: errorCodeOf(err),
          error: errorMessageOf(err),
        });
      },
    );
  }

  private receive(payload: string): void {
    const message = parse(payload);
    if (message === undefined || message.o === this.options.replicaId) return;
    this.received += 1;
    if (message.k === 'poll') {
      this.options.onPollRequest(message.r, message.n === true);
      return;
    }
    if (message.k === 'discovery') {
      this.options.onDiscoveryStored?.();
      return;
    }
    if (message.k === 'events') {
      this.options.feed.publish({ kind: 'events-recorded' });
    } else {
      this.options.feed.publish({
        kind: 'delivery',
        change: { ...message.c, at: new Date(message.c.at) },
      });
    }
    this.options.onRemoteChange();
  }
}

function parse(payload: string): WireMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const message = value as Record<string, unknown>;
  if (typeof message['o'] !== 'string') return undefined;
  if (message['k'] === 'events' || message['k'] === 'discovery') return message as WireMessage;
  if (message['k'] === 'poll')
    return typeof message['r'] === 'string' ? (message as WireMessage) : undefined;
  if (message['k'] !== 'delivery') return undefined;
  const change = message['c'] as Record<string, unknown> | undefined;
  const valid =
    typeof change === 'object' &&
    typeof change['deliveryId'] === 'number' &&
    typeof change['eventId'] === 'string' &&
    typeof change['repository'] === 'string' &&
    typeof change['targetUrl'] === 'string' &&
    DELIVERY_STATUSES.includes(change['status'] as DeliveryStatus) &&
    typeof change['at'] === 'string';
  return valid ? (message as WireMessage) : undefined;
}
