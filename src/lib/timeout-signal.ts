/**
 * A signal that aborts after `ms`, or as soon as one of `signals` aborts, with a reason like
 * `AbortSignal.timeout`'s (a `TimeoutError` DOMException).
 *
 * Not `AbortSignal.any([...signals, AbortSignal.timeout(ms)])`: on Node 20 a timeout signal that
 * is only referenced through `AbortSignal.any` can be garbage-collected before it fires, and the
 * composite then never aborts (a poll would outlive its timeout and hold a worker for ever). Here
 * a real timer holds the controller, so the deadline always fires. `dispose()` clears the timer
 * once the work is done.
 *
 * Not `AbortSignal.any` at all: every signal it returns stays registered with each of its sources
 * until that source aborts (nodejs/node#55351, not fixed in Node 20), so deriving one per poll
 * from the daemon's long-lived shutdown signal grew memory with every poll. The sources get a
 * plain listener instead, removed by `dispose()` or when this signal aborts.
 */
export function timeoutSignal(
  ms: number,
  ...signals: AbortSignal[]
): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const listeners = signals.map((source) => ({
    source,
    onAbort: (): void => controller.abort(source.reason),
  }));
  const release = (): void => {
    for (const { source, onAbort } of listeners) source.removeEventListener('abort', onAbort);
  };
  const timer = setTimeout(() => {
    controller.abort(new DOMException('The operation timed out.', 'TimeoutError'));
  }, ms);
  timer.unref();
  const alreadyAborted = signals.find((source) => source.aborted);
  if (alreadyAborted) {
    clearTimeout(timer);
    controller.abort(alreadyAborted.reason);
  } else {
    for (const { source, onAbort } of listeners) {
      source.addEventListener('abort', onAbort, { once: true });
    }
    controller.signal.addEventListener('abort', release, { once: true });
  }
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      release();
    },
  };
}
