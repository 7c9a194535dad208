import type { Provider } from '../../config/config-types.js';
import { eventIdOf, type ChangeEvent, type EventType } from '../../events/change-event.js';

export interface SampleChangeEventOptions {
  readonly type?: EventType;
  /** Defaults to `refs/heads/main` for branch events, `refs/tags/v1.0.0` for tag events. */
  readonly ref?: string;
  /** Sha the ref pointed to before (ignored for `*.created`). */
  readonly before?: string;
  /** Sha the ref points to after (ignored for `*.deleted`). */
  readonly after?: string;
  readonly detectedAt?: Date;
}

/** Placeholder shas of a sample event: recognisable, never a real commit. */
export const SAMPLE_BEFORE_SHA = '1111111111111111111111111111111111111111';
export const SAMPLE_AFTER_SHA = '2222222222222222222222222222222222222222';

/** The transition number of a sample event (no ref's counter moves for it). */
const SAMPLE_TRANSITION = 1;

/**
 * A well-formed ChangeEvent for `reposentry test-webhook` and tests: the id is computed exactly
 * as for detected changes, `before` is null for `*.created`, `after` null for `*.deleted`.
 */
export function sampleChangeEvent(
  repository: { readonly name: string; readonly url: string; readonly provider: Provider },
  options: SampleChangeEventOptions = {},
): ChangeEvent {
  const type = options.type ?? 'branch.updated';
  const ref = options.ref ?? (type.startsWith('tag.') ? 'refs/tags/v1.0.0' : 'refs/heads/main');
  const before = type.endsWith('.created') ? null : (options.before ?? SAMPLE_BEFORE_SHA);
  const after = type.endsWith('.deleted') ? null : (options.after ?? SAMPLE_AFTER_SHA);
  return {
    id: eventIdOf(repository.name, ref, before, after, SAMPLE_TRANSITION),
    type,
    repository: { name: repository.name, url: repository.url, provider: repository.provider },
    ref,
    before,
    after,
    transition: SAMPLE_TRANSITION,
    detectedAt: options.detectedAt ?? new Date(),
  };
}
