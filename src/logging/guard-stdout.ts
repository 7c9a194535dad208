import type Transport from 'winston-transport';

/** The console transports writing to stdout, silenced together when its reader goes away. */
const consoles = new Set<Transport>();
const onClosedCallbacks = new Set<(error: string) => void>();
let closedWith: string | undefined;
let listening = false;

/**
 * Keeps the daemon running when whatever reads its stdout goes away (a log shipper or a pipe's
 * reader that died): stdout's EPIPE would otherwise be an uncaught exception, whose own log line
 * fails the same way. The console transport is silenced, and `onClosed` tells the other
 * transports (the log file) once. Returns a function that forgets the transport.
 */
export function guardStdout(console: Transport, onClosed: (error: string) => void): () => void {
  consoles.add(console);
  onClosedCallbacks.add(onClosed);
  if (closedWith !== undefined) console.silent = true;
  if (!listening) {
    listening = true;
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (closedWith !== undefined) return;
      closedWith = err.code ?? err.message;
      for (const transport of consoles) transport.silent = true;
      for (const callback of onClosedCallbacks) callback(closedWith);
    });
  }
  return () => {
    consoles.delete(console);
    onClosedCallbacks.delete(onClosed);
  };
}
