import { describe, expect, it } from 'vitest';
import { ReposentryError } from '../errors/reposentry-error.js';
import { createCaptureLogger } from '../../test/helpers/capture-logger.js';
import { RetentionPruner } from './retention-pruner.js';

const DAY = 86_400_000;

// The pruner over each storage engine is tested in test/storage/contract/retention.test.ts.
describe('RetentionPruner', () => {
  it('logs a failed run with its code, reports degraded, and still starts', async () => {
    const log = createCaptureLogger();
    const failing = {
      pruneBatch: () => {
        throw new ReposentryError('storage-busy', 'locked');
      },
    };
    const pruner = new RetentionPruner({ storage: failing, retentionMs: DAY, log: log.log });
    await pruner.start();
    expect(pruner.health().status).toBe('degraded');
    expect(log.entries()).toContainEqual(
      expect.objectContaining({ message: 'Retention prune failed', code: 'storage-busy' }),
    );
    await pruner.stop(new AbortController().signal);
  });
});
