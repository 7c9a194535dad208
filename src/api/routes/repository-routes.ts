import type { Router } from 'express';
import type { RepositoryConfig } from '../../config/config-types.js';
import { ReposentryError } from '../../errors/reposentry-error.js';
import type { ApiContext } from '../api-context.js';
import {
  POLL_ROUTE,
  REPOSITORY_LIST_ROUTE,
  REPOSITORY_ROUTE,
} from '../contract/repository-contracts.js';
import { mountRoute } from '../mount-route.js';
import type {
  PollAccepted,
  RepositoryDetail,
  RepositoryList,
} from '../schemas/repository-schemas.js';
import { refView, repositoryView } from '../views/repository-view.js';

/** /api/v1/repositories[/{name}[/poll]]: configured repositories and what the poller knows. */
export function mountRepositoryRoutes(router: Router, ctx: ApiContext): void {
  const find = (name: string): RepositoryConfig => {
    const repo = ctx.config().repositories.find((r) => r.name === name);
    if (repo === undefined)
      throw new ReposentryError('not-found', `No repository named ${JSON.stringify(name)}`);
    return repo;
  };

  mountRoute(router, ctx, REPOSITORY_LIST_ROUTE, async (_input, _req, res) => {
    const counts = await ctx.storage.refStates.counts();
    const polls = new Map((await ctx.storage.pollStates.list()).map((p) => [p.repository, p]));
    res.json({
      repositories: ctx.config().repositories.map((repo) =>
        repositoryView({
          repo,
          polling: ctx.config().polling,
          poll: polls.get(repo.name),
          schedule: ctx.schedule(repo.name),
          rateLimit: ctx.rateLimitFor(repo),
          refCount: counts.get(repo.name) ?? 0,
        }),
      ),
    } satisfies RepositoryList);
  });

  mountRoute(router, ctx, REPOSITORY_ROUTE, async ({ params }, _req, res) => {
    const repo = find(params.name);
    const refs = [...(await ctx.storage.refStates.list(repo.name)).values()];
    const summary = repositoryView({
      repo,
      polling: ctx.config().polling,
      poll: await ctx.storage.pollStates.get(repo.name),
      schedule: ctx.schedule(repo.name),
      rateLimit: ctx.rateLimitFor(repo),
      refCount: refs.length,
    });
    res.json({ ...summary, refs: refs.map(refView) } satisfies RepositoryDetail);
  });

  mountRoute(router, ctx, POLL_ROUTE, ({ params }, _req, res) => {
    const repo = find(params.name);
    if (!repo.enabled)
      throw new ReposentryError('conflict', `${repo.name} is disabled (enabled: false)`);
    if (!ctx.isReady())
      throw new ReposentryError('not-ready', 'The daemon is not running: nothing is polled');
    if (!ctx.pollNow(repo.name)) {
      throw new ReposentryError('conflict', `A poll of ${repo.name} is already queued or running`);
    }
    res.status(202).json({ repository: repo.name, message: 'Poll queued' } satisfies PollAccepted);
  });
}
