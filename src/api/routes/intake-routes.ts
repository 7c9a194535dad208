import express, { type Request, type Response, type Router } from 'express';
import type { ApiContext, HookOutcome } from '../api-context.js';
import { gitlabTokenValid, githubSignatureValid } from '../intake/verify-hook.js';
import { hookRepositoryKeys, watchedRepositoriesOf } from '../intake/hook-repository.js';
import { SourceLimiter } from '../intake/source-limiter.js';
import { sendError } from '../send-error.js';
import type { ErrorCode } from '../../errors/reposentry-error.js';

/** GitHub sends at most 25 MB; a larger body is no hook of theirs. */
export const INTAKE_BODY_LIMIT = 25 * 1024 * 1024;

type HookProvider = 'github' | 'gitlab';

/**
 * POST /hooks/github and /hooks/gitlab (intake.enabled): a real webhook, its signature checked
 * over the raw body, makes the daemon poll the watched repository it names. Nothing of its body
 * is recorded: only the poll records events, so a forged or replayed hook costs one poll at most.
 * Mounted before the API's JSON parser, which would refuse a hook's size.
 */
export function mountIntakeRoutes(router: Router, ctx: ApiContext): void {
  const limiter = new SourceLimiter();
  const readRaw = express.raw({ type: () => true, limit: INTAKE_BODY_LIMIT });
  for (const provider of ['github', 'gitlab'] as const) {
    router.post(`/hooks/${provider}`, (req: Request, res: Response) => {
      const answer = (outcome: HookOutcome, code: ErrorCode, message: string): void => {
        ctx.observeHook?.(provider, outcome);
        sendError(res, code, message);
      };
      const intake = ctx.config().intake;
      if (!intake.enabled || intake.secret === undefined) {
        answer('disabled', 'not-found', 'Webhook intake is off (intake.enabled is false)');
        return;
      }
      const limited = limiter.take(req.socket.remoteAddress ?? 'unknown');
      if (!limited.ok) {
        res.set('Retry-After', String(limited.retryAfterSeconds));
        answer('rate_limited', 'too-many-requests', 'Too many webhooks from this address');
        return;
      }
      readRaw(req, res, (err?: unknown) => {
        if (err !== undefined) {
          const tooLarge = (err as { type?: unknown }).type === 'entity.too.large';
          if (tooLarge)
            answer('too_large', 'payload-too-large', 'Webhook body is larger than 25 MB');
          else answer('malformed', 'bad-request', 'Webhook body could not be read');
          return;
        }
        handleHook(provider, req, res, ctx, intake.secret ?? '', answer);
      });
    });
  }
}

function handleHook(
  provider: HookProvider,
  req: Request,
  res: Response,
  ctx: ApiContext,
  secret: string,
  answer: (outcome: HookOutcome, code: ErrorCode, message: string) => void,
): void {
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const verified =
    provider === 'github'
      ? githubSignatureValid(body, req.get('x-hub-signature-256'), secret)
      : gitlabTokenValid(req.get('x-gitlab-token'), secret);
  if (!verified) {
    answer(
      'unauthorized',
      'unauthorized',
      provider === 'github'
        ? 'X-Hub-Signature-256 does not match the body signed with intake.secret'
        : 'X-Gitlab-Token is not intake.secret',
    );
    return;
  }
  if (provider === 'github' && req.get('x-github-event') === 'ping') {
    ctx.observeHook?.(provider, 'ping');
    res.status(200).json({ message: 'pong' });
    return;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    answer('malformed', 'bad-request', 'Webhook body is not JSON');
    return;
  }
  const keys = hookRepositoryKeys(provider, parsed);
  if (keys.size === 0) {
    answer(
      'malformed',
      'bad-request',
      provider === 'github' ? 'Webhook names no repository' : 'Webhook names no project',
    );
    return;
  }
  const repositories = watchedRepositoriesOf(keys, ctx.config().repositories);
  if (repositories.length === 0) {
    answer('not_watched', 'not-found', 'The repository of this webhook is not watched');
    return;
  }
  for (const repo of repositories) ctx.nudge(repo.name);
  ctx.observeHook?.(provider, 'accepted');
  res.status(202).json({ repositories: repositories.map((repo) => repo.name) });
}
