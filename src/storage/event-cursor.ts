import { ReposentryError } from '../errors/reposentry-error.js';

/**
 * The opaque page cursor of the event list: base64url of the last seq returned. Seqs only grow,
 * so "older than this seq" names the same events however many arrive meanwhile.
 */
export function encodeEventCursor(seq: number): string {
  return Buffer.from(String(seq), 'utf8').toString('base64url');
}

/** The seq inside a cursor; anything not produced by `encodeEventCursor` is `bad-request`. */
export function decodeEventCursor(cursor: string): number {
  const text = /^[A-Za-z0-9_-]{1,24}$/.test(cursor)
    ? Buffer.from(cursor, 'base64url').toString('utf8')
    : '';
  const seq = /^[1-9][0-9]{0,15}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(seq) || encodeEventCursor(seq) !== cursor) {
    throw new ReposentryError('bad-request', 'cursor is not a cursor returned by this API');
  }
  return seq;
}
