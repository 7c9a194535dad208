import type { TektonConfig } from '../config/config-types.js';
import { ReposentryError } from '../errors/reposentry-error.js';
import type { ChangeEvent } from '../events/change-event.js';
import type { PushDetails } from '../events/push-details.js';
import { timeoutSignal } from '../lib/timeout-signal.js';
import type { RequestOpener } from '../http/open-request.js';
import type { ClaimedDelivery } from '../storage/delivery-record.js';
import type { DeliveryQueue } from '../storage/storage.js';
import type { DeliveryStatus } from '../storage/storage-types.js';
import { decideRetry, type RetryDecision } from './decide-retry.js';
import type { DeliveryAttemptReport } from './delivery-attempt-report.js';
import { buildPayload } from './payloads/build-payload.js';
import { sendSignedPayload } from './send-signed-payload.js';

export interface DeliverOnceDeps {
  readonly store: Pick<
    DeliveryQueue,
    'savePayload' | 'recordAttempt' | 'markDelivered' | 'scheduleRetry' | 'markFailed'
  >;
  /** The running config's `tekton` section. */
  readonly tekton: TektonConfig;
  /** For `User-Agent: RepoSentry/<version>`. */
  readonly version: string;
  readonly opener: RequestOpener;
  /** Shutdown: aborts the send; the delivery is then queued again at once. */
  readonly signal: AbortSignal;
  /** Jitter source of the retry delay. */
  readonly random: () => number;
  /**
   * Reads the Git host's details of a ref change for its first payload (see PushDetails); left
   * out, or answering undefined, payloads carry what the ref listing told.
   */
  readonly details?: ReadPushDetails;
}

/** Never rejects: a host that fails is named in the answer's `missing`. */
export type ReadPushDetails = (
  event: ChangeEvent,
  options: { signal: AbortSignal; timeoutMs: number },
) => Promise<PushDetails | undefined>;

/** The formats whose bodies carry commit details (cloudevents carries the shas only). */
const FORMATS_WITH_DETAILS = new Set(['github', 'gitlab', 'reposentry']);

/**
 * One attempt of a claimed (in_flight) delivery: builds and stores its payload at the first
 * attempt, so every later attempt sends the same bytes; signs and POSTs it; records the attempt;
 * then marks it delivered, pending again at its retry time, or failed (see decideRetry). Throws
 * only when storage or the payload builder fails: the caller queues the delivery again.
 */
export async function deliverOnce(
  { delivery, event }: ClaimedDelivery,
  deps: DeliverOnceDeps,
): Promise<DeliveryAttemptReport> {
  const { store, tekton } = deps;
  let payload = delivery.payload;
  let details: PushDetails | undefined;
  if (payload === null) {
    details = await readDetails(event, delivery.format, deps);
    // Stopping cut the details short: store nothing, so the next attempt builds it whole.
    if (deps.signal.aborted) throw new ReposentryError('shutting-down', 'Shutting down');
    const built = buildPayload(
      delivery.format,
      event,
      { version: deps.version, extraHeaders: tekton.headers },
      details,
    );
    payload = await store.savePayload(delivery.id, built.body, built.headers);
  }
  const attempt = delivery.attempts + 1;
  const startedAt = Date.now();
  const outcome = await sendSignedPayload({
    url: delivery.targetUrl,
    format: delivery.format,
    payload,
    attempt,
    tekton,
    opener: deps.opener,
    signal: deps.signal,
  });
  await store.recordAttempt(delivery.id, {
    attempt,
    startedAt,
    statusCode: outcome.statusCode,
    latencyMs: outcome.latencyMs,
    error: outcome.error,
  });
  const now = Date.now();
  const decision = decideRetry({
    outcome,
    before: delivery,
    policy: tekton,
    now,
    random: deps.random,
    stopping: deps.signal.aborted,
  });
  const status = await apply(decision, delivery.id, outcome.statusCode, now, store);
  return {
    deliveryId: delivery.id,
    eventId: event.id,
    repository: event.repository.name,
    targetUrl: delivery.targetUrl,
    attempt,
    status,
    outcome,
    sinceDetectedMs: Date.now() - event.detectedAt.getTime(),
    ...(details ? { details } : {}),
  };
}

/**
 * The host's details for the first payload, read within `tekton.timeout` at most so that they
 * never hold a delivery back longer than one attempt may take.
 */
async function readDetails(
  event: ChangeEvent,
  format: string,
  deps: DeliverOnceDeps,
): Promise<PushDetails | undefined> {
  if (!deps.tekton.commitDetails || deps.details === undefined) return undefined;
  if (!FORMATS_WITH_DETAILS.has(format)) return undefined;
  const deadline = timeoutSignal(deps.tekton.timeoutMs, deps.signal);
  try {
    return await deps.details(event, {
      signal: deadline.signal,
      timeoutMs: deps.tekton.timeoutMs,
    });
  } finally {
    deadline.dispose();
  }
}

async function apply(
  decision: RetryDecision,
  id: number,
  statusCode: number | undefined,
  now: number,
  store: DeliverOnceDeps['store'],
): Promise<Exclude<DeliveryStatus, 'in_flight'>> {
  switch (decision.kind) {
    case 'delivered':
      await store.markDelivered(id, now);
      return 'delivered';
    case 'retry':
      await store.scheduleRetry(id, decision.at, decision.reason, statusCode);
      return 'pending';
    case 'failed':
      await store.markFailed(id, decision.reason, statusCode);
      return 'failed';
  }
}
