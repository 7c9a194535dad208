/**
 * A signal that aborts after `ms`, or as soon as one of `signals` aborts, with a reason like
 * `AbortSignal.timeout`'s (a `TimeoutError` DOMException).
 *
 * Not `AbortSignal.any([...signals, AbortSignal.timeout(ms)])`: on Node 20 a timeout signal that
 * is only referenced through `AbortSignal.any` can be garbage-collected before it fires, and the
 * composite then never aborts (a poll would outlive its timeout and hold a worker for ever). Here
 * a real timer holds the controller, so the deadline always fires. `dispose()` clears the timer
 * once the work is done.
 */
export function timeoutSignal(
  ms: number,
  ...signals: AbortSignal[]
): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(new DOMException('The operation timed out.', 'TimeoutError'));
  }, ms);
  timer.unref();
  const signal =
    signals.length === 0 ? controller.signal : AbortSignal.any([...signals, controller.signal]);
  return { signal, dispose: () => clearTimeout(timer) };
}
