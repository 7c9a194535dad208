import express, { type Request, type Response, type Router } from 'express';
import type { ApiContext, HookOutcome } from '../api-context.js';
import { gitlabTokenValid, githubSignatureValid } from '../intake/verify-hook.js';
import { hookRepositoryKeys, watchedRepositoriesOf } from '../intake/hook-repository.js';
import { SourceLimiter } from '../intake/source-limiter.js';
import { sendError } from '../send-error.js';
import type { ErrorCode } from '../../errors/reposentry-error.js';

/**
 * The largest hook body read (GitHub's push hooks of a few thousand commits stay below it): a
 * larger one gets 413, and polling still sees its change. Bodies over SMALL_BODY (or of no
 * declared length) are read LARGE_READS_AT_ONCE at a time, so hooks never hold much memory.
 */
export const INTAKE_BODY_LIMIT = 10 * 1024 * 1024;
const SMALL_BODY = 256 * 1024;
const LARGE_READS_AT_ONCE = 2;

type HookProvider = 'github' | 'gitlab';

/**
 * The webhook routes: served beside the API, described in docs/operations.md ("Webhook
 * intake") rather than in the API's OpenAPI document, since Git hosts, not people, call them.
 */
export const INTAKE_ROUTES = ['POST /hooks/github', 'POST /hooks/gitlab'] as const;

/**
 * POST /hooks/github and /hooks/gitlab (intake.enabled): a real webhook, its signature checked
 * over the raw body, makes the daemon poll the watched repository it names. Nothing of its body
 * is recorded: only the poll records events, so a forged or replayed hook costs one poll at most.
 * Mounted before the API's JSON parser, which would refuse a hook's size.
 */
export function mountIntakeRoutes(router: Router, ctx: ApiContext): void {
  const limiter = new SourceLimiter();
  let reading = 0;
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
      const declared = Number(req.get('content-length') ?? '0');
      if (declared > INTAKE_BODY_LIMIT) {
        answer('too_large', 'payload-too-large', 'Webhook body is larger than 10 MB');
        return;
      }
      // GitLab's token is a header: a wrong one is refused before any of the body is read.
      if (provider === 'gitlab' && !gitlabTokenValid(req.get('x-gitlab-token'), intake.secret)) {
        answer('unauthorized', 'unauthorized', 'X-Gitlab-Token is not intake.secret');
        return;
      }
      const large = !(declared > 0 && declared <= SMALL_BODY);
      if (large && reading >= LARGE_READS_AT_ONCE) {
        res.set('Retry-After', '1');
        answer(
          'rate_limited',
          'too-many-requests',
          'Too many large webhooks being read; try again',
        );
        return;
      }
      if (large) reading += 1;
      readRaw(req, res, (err?: unknown) => {
        if (large) reading -= 1;
        if (err !== undefined) {
          const tooLarge = (err as { type?: unknown }).type === 'entity.too.large';
          if (tooLarge)
            answer('too_large', 'payload-too-large', 'Webhook body is larger than 10 MB');
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
  // GitLab's token was checked before the body was read; GitHub's signature covers the body.
  if (
    provider === 'github' &&
    !githubSignatureValid(body, req.get('x-hub-signature-256'), secret)
  ) {
    answer(
      'unauthorized',
      'unauthorized',
      'X-Hub-Signature-256 does not match the body signed with intake.secret',
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
    // GitHub sends `payload=<JSON>` when the webhook's content type is form-encoded.
    const text = body.toString('utf8');
    const form = req.is('application/x-www-form-urlencoded')
      ? new URLSearchParams(text).get('payload')
      : null;
    parsed = JSON.parse(form ?? text);
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
