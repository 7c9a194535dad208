import type { ResolvedPayloadFormat, TektonConfig } from '../config/config-types.js';
import type { RequestOpener } from '../http/open-request.js';
import { sendDelivery, type DeliveryOutcome } from './send-delivery.js';
import { signDelivery } from './sign-delivery.js';

export interface SignedPayloadRequest {
  /** The EventListener URL. */
  readonly url: string;
  readonly format: ResolvedPayloadFormat;
  /** The built (or stored) payload: the exact bytes that are signed and sent. */
  readonly payload: {
    readonly body: string;
    readonly headers: Readonly<Record<string, string>>;
  };
  /** 1 for the first attempt; numbering continues after a redeliver. */
  readonly attempt: number;
  readonly tekton: Pick<TektonConfig, 'secret' | 'timeoutMs'>;
  readonly opener: RequestOpener;
  readonly signal?: AbortSignal;
  readonly readBody?: boolean;
}

/**
 * Adds the attempt's headers (attempt number, signature or token) to a built payload and POSTs it
 * within `tekton.timeout`: what every delivery attempt sends, and `test-webhook` too.
 */
export function sendSignedPayload(request: SignedPayloadRequest): Promise<DeliveryOutcome> {
  const { payload, tekton } = request;
  return sendDelivery({
    url: request.url,
    body: payload.body,
    headers: {
      ...payload.headers,
      ...signDelivery(request.format, payload.body, tekton.secret, request.attempt),
    },
    timeoutMs: tekton.timeoutMs,
    opener: request.opener,
    ...(request.signal === undefined ? {} : { signal: request.signal }),
    ...(request.readBody === undefined ? {} : { readBody: request.readBody }),
  });
}
