import type { Response } from 'express';
import { errorCodeOf, errorMessageOf, type ErrorCode } from '../errors/reposentry-error.js';

/** The HTTP status of each error code the API can answer with; anything else is a 500. */
const STATUS_OF: Partial<Record<ErrorCode, number>> = {
  'bad-request': 400,
  'config-invalid': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  'method-not-allowed': 405,
  conflict: 409,
  'payload-too-large': 413,
  'too-many-requests': 429,
  'storage-busy': 503,
  'storage-locked': 503,
  'not-ready': 503,
  'shutting-down': 503,
};

export function statusOfCode(code: ErrorCode): number {
  return STATUS_OF[code] ?? 500;
}

/** `{error, message}` with the code's status. Never a stack: a 500 says only that it failed. */
export function sendError(res: Response, code: ErrorCode, message: string): void {
  const status = statusOfCode(code);
  if (res.headersSent) {
    res.end();
    return;
  }
  res.status(status).json({
    error: code,
    message: status >= 500 && code === 'internal' ? 'Internal error' : message,
  });
}

/** Answers for a thrown error: its code decides the status; a non-Reposentry error is a 500. */
export function sendThrown(res: Response, err: unknown): void {
  sendError(res, errorCodeOf(err), errorMessageOf(err));
}
