import { describe, expect, it } from 'vitest';
import { ReposentryError } from '../../errors/reposentry-error.js';
import { mapPostgresError } from './map-postgres-error.js';
import { postgresLocation } from './postgres-location.js';

const PASSWORD = 's3cret-pa55word';
const where = postgresLocation(`postgres://app:${PASSWORD}@db.internal:5432/reposentry`);

/** A pg error as the driver raises it: a message and a SQLSTATE (or a socket error code). */
function pgError(message: string, code?: string): Error {
  return Object.assign(new Error(message), code === undefined ? {} : { code });
}

describe('mapPostgresError', () => {
  it('names the database without its password', () => {
    expect(where.text).toBe('postgres://[REDACTED]@db.internal:5432/reposentry');
    const mapped = mapPostgresError(pgError('relation "x" does not exist', '42P01'), where);
    expect(mapped).toMatchObject({ code: 'storage-failed', retryable: false });
    expect(mapped.message).toBe(
      'Database postgres://[REDACTED]@db.internal:5432/reposentry: relation "x" does not exist (42P01)',
    );
  });

  it('makes lock contention, timeouts and an exhausted pool storage-busy and retryable', () => {
    for (const code of ['40001', '40P01', '55P03', '57014', '53300']) {
      expect(mapPostgresError(pgError('busy', code), where)).toMatchObject({
        code: 'storage-busy',
        retryable: true,
      });
    }
    expect(
      mapPostgresError(pgError('timeout exceeded when trying to connect'), where),
    ).toMatchObject({ code: 'storage-busy', retryable: true });
  });

  it('makes a lost or refused connection a retryable storage-failed', () => {
    for (const err of [
      pgError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      pgError('terminating connection due to administrator command', '57P01'),
      pgError('Connection terminated unexpectedly'),
    ]) {
      const mapped = mapPostgresError(err, where);
      expect(mapped).toMatchObject({ code: 'storage-failed', retryable: true });
      expect(mapped.message).toMatch(/is unreachable/);
    }
  });

  it('makes a damaged database storage-corrupt', () => {
    expect(mapPostgresError(pgError('invalid page', 'XX001'), where).code).toBe('storage-corrupt');
  });

  it('scrubs the password from a driver message and passes our own errors through', () => {
    const mapped = mapPostgresError(
      pgError(`could not connect to postgres://app:${PASSWORD}@db.internal/x`),
      where,
    );
    expect(mapped.message).not.toContain(PASSWORD);
    const ours = new ReposentryError('conflict', 'taken');
    expect(mapPostgresError(ours, where)).toBe(ours);
  });
});
