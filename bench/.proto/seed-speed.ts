import { Storage } from '/work/main/src/storage/storage.js';
import { createLogger } from '/work/main/src/logging/create-logger.js';
import { SecretRegistry } from '/work/main/src/logging/secret-registry.js';
import { eventIdOf } from '/work/main/src/events/change-event.js';
import { rmSync } from 'node:fs';
rmSync('/tmp/proto/db', { recursive: true, force: true });
const log = createLogger({ level: 'error', format: 'json', secrets: new SecretRegistry() });
const storage = new Storage({ path: '/tmp/proto/db/x.db', busyTimeoutMs: 5000, log });
storage.open();
const t0 = performance.now();
const N = 20000;
for (let i = 0; i < N; i++) {
  const repo = { name: `repo-${i % 1000}`, provider: 'github' as const, url: `http://127.0.0.1:9/o/repo-${i % 1000}` };
  const before = i.toString(16).padStart(40, '0'); const after = (i + 1).toString(16).padStart(40, '0');
  storage.recordPoll({ repository: repo, refs: { upsert: [], remove: [] }, events: [{ id: eventIdOf(repo.name, 'refs/heads/main', before, after), type: 'branch.updated', repository: repo, ref: 'refs/heads/main', before, after, detectedAt: new Date() }], targets: [{ url: 'http://127.0.0.1:1/', format: 'github' }], pollState: { polledAt: Date.now(), nextPollAt: Date.now(), via: 'api', baselined: { branch: true, tag: false } } });
}
console.log('per event us', ((performance.now() - t0) / N) * 1000);
storage.close();
