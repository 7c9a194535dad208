import type { Router } from 'express';
import type { RepositoryConfig } from '../../config/config-types.js';
import { ReposentryError } from '../../errors/reposentry-error.js';
import type { ApiContext } from '../api-context.js';
import { QueryReader, pathParam } from '../query-params.js';
import { requireToken } from '../require-token.js';
import { refView, repositoryView } from '../views/repository-view.js';

/** /api/v1/repositories[/{name}[/poll]]: configured repositories and what the poller knows. */
export function mountRepositoryRoutes(router: Router, ctx: ApiContext): void {
  const find = (raw: unknown): RepositoryConfig => {
    const name = pathParam(raw, 'name', 200);
    const repo = ctx.config().repositories.find((r) => r.name === name);
    if (repo === undefined)
      throw new ReposentryError('not-found', `No repository named ${JSON.stringify(name)}`);
    return repo;
  };
  const facts = (repo: RepositoryConfig, refCount: number) => ({
    repo,
    poll: ctx.storage.pollStates.get(repo.name),
    schedule: ctx.schedule(repo.name),
    rateLimit: ctx.rateLimitFor(repo),
    refCount,
  });

  router.get('/api/v1/repositories', (req, res) => {
    new QueryReader(req.query, []);
    const counts = ctx.storage.refStates.counts();
    const polls = new Map(ctx.storage.pollStates.list().map((p) => [p.repository, p]));
    res.json({
      repositories: ctx.config().repositories.map((repo) =>
        repositoryView({
          repo,
          poll: polls.get(repo.name),
          schedule: ctx.schedule(repo.name),
          rateLimit: ctx.rateLimitFor(repo),
          refCount: counts.get(repo.name) ?? 0,
        }),
      ),
    });
  });

  router.get('/api/v1/repositories/:name', (req, res) => {
    new QueryReader(req.query, []);
    const repo = find(req.params.name);
    const refs = [...ctx.storage.refStates.list(repo.name).values()];
    res.json({ ...repositoryView(facts(repo, refs.length)), refs: refs.map(refView) });
  });

  router.post(
    '/api/v1/repositories/:name/poll',
    requireToken(() => ctx.config().api.authToken),
    (req, res) => {
      new QueryReader(req.query, []);
      const repo = find(req.params.name);
      if (!repo.enabled)
        throw new ReposentryError('conflict', `${repo.name} is disabled (enabled: false)`);
      if (!ctx.isReady())
        throw new ReposentryError('not-ready', 'The daemon is not running: nothing is polled');
      if (!ctx.pollNow(repo.name)) {
        throw new ReposentryError(
          'conflict',
          `A poll of ${repo.name} is already queued or running`,
        );
      }
      res.status(202).json({ repository: repo.name, message: 'Poll queued' });
    },
  );
}
