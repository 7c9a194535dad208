import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Provider, ResolvedPayloadFormat } from '../../src/config/config-types.js';
import {
  PULL_REQUEST_EVENT_TYPES,
  REF_EVENT_TYPES,
  type ChangeEvent,
  type EventType,
} from '../../src/events/change-event.js';
import { buildPayload } from '../../src/trigger/payloads/build-payload.js';
import { sampleChangeEvent } from '../../src/trigger/payloads/sample-change-event.js';
import { signDelivery } from '../../src/trigger/sign-delivery.js';
import {
  byKind,
  celFilterPaths,
  interceptorAccepts,
  loadManifests,
  referencesIn,
  resolveReference,
  triggerAccepts,
  unresolvedReferences,
  type Delivery,
  type Param,
  type Trigger,
} from './helpers/tekton-simulator.js';

const TEKTON_DIR = fileURLToPath(new URL('../../deployments/tekton/', import.meta.url));
const manifests = loadManifests(TEKTON_DIR);
const bindings = byKind(manifests, 'TriggerBinding');
const templates = byKind(manifests, 'TriggerTemplate');
const secrets = byKind(manifests, 'Secret');
const listeners = [...byKind(manifests, 'EventListener').values()];
const triggers = listeners.flatMap((listener) => listener.spec!.triggers as Trigger[]);
const SECRET = secrets.get('reposentry-webhook-secret')!.stringData!.secretToken!;

type Repo = { name: string; url: string; provider: Provider };
const REPOSITORIES: Record<string, Repo> = {
  'github.com': { name: 'app', url: 'https://github.com/org/app', provider: 'github' },
  'gitlab subgroup': {
    name: 'tool',
    url: 'https://gitlab.com/grp/sub/tool.git',
    provider: 'gitlab',
  },
  'plain https remote': { name: 'lib', url: 'https://git.example.com/lib.git', provider: 'git' },
  'scp-like remote': { name: 'svc', url: 'git@git.example.com:team/svc.git', provider: 'git' },
  'file:// remote': { name: 'demo', url: 'file:///tmp/demo/origin.git', provider: 'git' },
};
const PLAIN_REMOTES = Object.entries(REPOSITORIES).filter(([, repo]) => repo.provider === 'git');

type Route = { trigger: string; binding: string };
/** Which trigger (and binding) in deployments/tekton serves the pushes of each payload_format. */
const TRIGGER_FOR: Record<ResolvedPayloadFormat, Route> = {
  github: { trigger: 'github-push', binding: 'reposentry-github-push' },
  gitlab: { trigger: 'gitlab-push', binding: 'reposentry-gitlab-push' },
  cloudevents: { trigger: 'reposentry-cloudevents', binding: 'reposentry-cloudevents' },
  reposentry: { trigger: 'reposentry-go-compatible', binding: 'reposentry-go-compatible' },
};
/** The same for pull (merge) requests: the forge formats only, as the forges' own hooks. */
const PULL_REQUEST_TRIGGER_FOR: Partial<Record<ResolvedPayloadFormat, Route>> = {
  github: { trigger: 'github-pull-request', binding: 'reposentry-github-pull-request' },
  gitlab: { trigger: 'gitlab-merge-request', binding: 'reposentry-gitlab-merge-request' },
};
const FORMATS = Object.keys(TRIGGER_FOR) as ResolvedPayloadFormat[];
const PULL_REQUEST_FORMATS = Object.keys(PULL_REQUEST_TRIGGER_FOR) as ResolvedPayloadFormat[];
const NOT_DELETED = REF_EVENT_TYPES.filter((type) => !type.endsWith('.deleted'));
/** A request with a new head to build: opened, pushed to, reopened. */
const NEW_HEAD = ['pull_request.opened', 'pull_request.updated', 'pull_request.reopened'] as const;
const ENDED = ['pull_request.closed', 'pull_request.merged'] as const;

interface DeliveryOptions {
  readonly secret?: string;
  /** `ref`: the request as a plain git remote lists it, its ref and head sha alone. */
  readonly seenAs?: 'api' | 'ref';
}

/** A delivery exactly as the daemon sends it: built body and headers plus send-time headers. */
function deliveryOf(
  format: ResolvedPayloadFormat,
  type: EventType,
  repo: Repo,
  { secret = SECRET, seenAs = 'api' }: DeliveryOptions = {},
) {
  const sample = sampleChangeEvent(repo, { type, detectedAt: new Date('2025-05-06T07:08:09Z') });
  const request = sample.pullRequest;
  const event: ChangeEvent =
    seenAs === 'ref' && request !== undefined
      ? {
          ...sample,
          pullRequest: {
            number: request.number,
            state: request.state === 'open' ? 'open' : 'closed',
            known: 'ref',
            head: { sha: request.head.sha },
          },
        }
      : sample;
  const built = buildPayload(format, event, { version: '0.0.0-test', extraHeaders: {} });
  return {
    rawBody: built.body,
    body: JSON.parse(built.body) as unknown,
    headers: { ...built.headers, ...signDelivery(format, built.body, secret, 1) },
  } satisfies Delivery;
}

function paramsOf(bindingName: string): Param[] {
  const binding = bindings.get(bindingName);
  if (binding === undefined) throw new Error(`TriggerBinding ${bindingName} not found`);
  return binding.spec!.params as Param[];
}

function firedTriggers(delivery: Delivery): string[] {
  return triggers.filter((t) => triggerAccepts(t, delivery, secrets)).map((t) => t.name);
}

function celFiltersOf(trigger: Trigger): string[] {
  return (trigger.interceptors ?? [])
    .filter((i) => i.ref.name === 'cel')
    .map((i) => String(i.params!.find((p) => p.name === 'filter')!.value));
}

/** Whether a delivery gets past a trigger's signature and event type checks (to its CEL). */
function reachesCel(trigger: Trigger, delivery: Delivery): boolean {
  return (trigger.interceptors ?? [])
    .filter((i) => i.ref.name !== 'cel')
    .every((i) => interceptorAccepts(i, delivery, secrets));
}

describe('deployments/tekton', () => {
  it('defines one EventListener whose triggers reference bindings and templates defined here', () => {
    expect(listeners).toHaveLength(1);
    expect(triggers.map((t) => t.name).sort()).toEqual(
      [...Object.values(TRIGGER_FOR), ...Object.values(PULL_REQUEST_TRIGGER_FOR)]
        .map((route) => route.trigger)
        .sort(),
    );
    for (const trigger of triggers) {
      expect(templates.has(trigger.template.ref), trigger.name).toBe(true);
      for (const binding of trigger.bindings) expect(bindings.has(binding.ref)).toBe(true);
    }
  });

  it('supplies every template parameter without a default from every binding of each trigger', () => {
    for (const trigger of triggers) {
      const template = templates.get(trigger.template.ref)!;
      const declared = template.spec!.params as Param[];
      const supplied = new Set(trigger.bindings.flatMap((b) => paramsOf(b.ref).map((p) => p.name)));
      const missing = declared.filter((p) => p.default === undefined && !supplied.has(p.name));
      expect(
        missing.map((p) => p.name),
        trigger.name,
      ).toEqual([]);
      const unknown = [...supplied].filter((name) => !declared.some((p) => p.name === name));
      expect(unknown, trigger.name).toEqual([]);
      const used = [
        ...JSON.stringify(template.spec!.resourcetemplates).matchAll(/tt\.params\.([\w-]+)/g),
      ];
      const names = new Set(declared.map((p) => p.name));
      expect(used.map((m) => m[1]).filter((name) => !names.has(name!))).toEqual([]);
    }
  });

  it('binds $(body...) and $(header...) paths in every binding', () => {
    for (const route of [
      ...Object.values(TRIGGER_FOR),
      ...Object.values(PULL_REQUEST_TRIGGER_FOR),
    ]) {
      const refs = paramsOf(route.binding).flatMap((p) => referencesIn(String(p.value)));
      expect(refs.length, route.binding).toBeGreaterThan(3);
    }
    expect(paramsOf('reposentry-github-push').map((p) => p.value)).toEqual(
      expect.arrayContaining([
        '$(body.ref)',
        '$(body.after)',
        '$(body.repository.clone_url)',
        '$(body.head_commit.id)',
        '$(header.X-GitHub-Delivery)',
      ]),
    );
    expect(paramsOf('reposentry-gitlab-push').map((p) => p.value)).toEqual(
      expect.arrayContaining(['$(body.checkout_sha)', '$(body.project.git_http_url)']),
    );
    // As bindings for GitHub's and GitLab's own pull / merge request hooks are written.
    expect(paramsOf('reposentry-github-pull-request').map((p) => p.value)).toEqual(
      expect.arrayContaining([
        '$(body.pull_request.head.sha)',
        '$(body.pull_request.number)',
        '$(body.pull_request.head.ref)',
        '$(body.pull_request.base.ref)',
        '$(body.repository.clone_url)',
      ]),
    );
    expect(paramsOf('reposentry-gitlab-merge-request').map((p) => p.value)).toEqual(
      expect.arrayContaining([
        '$(body.object_attributes.last_commit.id)',
        '$(body.object_attributes.iid)',
        '$(body.object_attributes.source_branch)',
        '$(body.object_attributes.target_branch)',
        '$(body.project.git_http_url)',
      ]),
    );
  });
});

describe.each(FORMATS)('the %s binding', (format) => {
  const params = paramsOf(TRIGGER_FOR[format].binding);

  describe.each(Object.entries(REPOSITORIES))('for a %s', (_label, repo) => {
    it.each(NOT_DELETED)('resolves every path in the payload of %s', (type) => {
      expect(unresolvedReferences(deliveryOf(format, type, repo), params)).toEqual([]);
    });
  });

  it('reports a path the payload lacks (the check can fail)', () => {
    const delivery = deliveryOf(format, 'branch.updated', REPOSITORIES['github.com']!);
    const withExtra = [...params, { name: 'x', value: '$(body.no_such.field)' }];
    expect(unresolvedReferences(delivery, withExtra)).toEqual(['body.no_such.field']);
    expect(resolveReference(delivery, 'header.No-Such-Header')).toBeUndefined();
  });
});

describe.each(PULL_REQUEST_FORMATS)('the %s pull request binding', (format) => {
  const params = paramsOf(PULL_REQUEST_TRIGGER_FOR[format]!.binding);

  describe.each(Object.entries(REPOSITORIES))('for a %s', (_label, repo) => {
    it.each(PULL_REQUEST_EVENT_TYPES)('resolves every path in the payload of %s', (type) => {
      expect(unresolvedReferences(deliveryOf(format, type, repo), params)).toEqual([]);
    });
  });

  describe.each(PLAIN_REMOTES)('for a %s that lists requests as refs', (_label, repo) => {
    it.each(NEW_HEAD)('resolves every path in the payload of %s', (type) => {
      const delivery = deliveryOf(format, type, repo, { seenAs: 'ref' });
      expect(unresolvedReferences(delivery, params)).toEqual([]);
    });
  });

  it('does not resolve against a push of the same format (the check can fail)', () => {
    const push = deliveryOf(format, 'branch.updated', REPOSITORIES['github.com']!);
    expect(unresolvedReferences(push, params).length).toBeGreaterThan(0);
  });
});

describe('the EventListener', () => {
  describe.each(FORMATS)('given %s deliveries', (format) => {
    const { trigger: expected } = TRIGGER_FOR[format];
    const pullRequestTrigger = PULL_REQUEST_TRIGGER_FOR[format]?.trigger;
    const repo =
      format === 'gitlab' ? REPOSITORIES['gitlab subgroup']! : REPOSITORIES['github.com']!;

    it.each(NOT_DELETED)('fires only its own push trigger for %s', (type) => {
      expect(firedTriggers(deliveryOf(format, type, repo))).toEqual([expected]);
    });

    it.each(REF_EVENT_TYPES.filter((type) => type.endsWith('.deleted')))(
      'fires nothing for %s (nothing to build)',
      (type) => {
        expect(firedTriggers(deliveryOf(format, type, repo))).toEqual([]);
      },
    );

    describe.each(Object.entries(REPOSITORIES))('for a request of a %s', (_label, requestRepo) => {
      it.each(NEW_HEAD)(
        `fires ${pullRequestTrigger ?? 'nothing (no pull request trigger for this format)'} for %s`,
        (type) => {
          expect(firedTriggers(deliveryOf(format, type, requestRepo))).toEqual(
            pullRequestTrigger === undefined ? [] : [pullRequestTrigger],
          );
        },
      );

      it.each(ENDED)('fires nothing for %s (nothing to build)', (type) => {
        expect(firedTriggers(deliveryOf(format, type, requestRepo))).toEqual([]);
      });
    });

    it.each(NEW_HEAD)('fires the same for %s of a request seen only as a ref', (type) => {
      const [, plain] = PLAIN_REMOTES[0]!;
      expect(firedTriggers(deliveryOf(format, type, plain, { seenAs: 'ref' }))).toEqual(
        pullRequestTrigger === undefined ? [] : [pullRequestTrigger],
      );
    });

    it.each(['branch.updated', 'pull_request.opened'] as const)(
      'fires nothing for %s signed with another secret',
      (type) => {
        const delivery = deliveryOf(format, type, repo, { secret: 'wrong-secret' });
        expect(firedTriggers(delivery)).toEqual([]);
      },
    );

    it.each([expected, ...(pullRequestTrigger === undefined ? [] : [pullRequestTrigger])])(
      'evaluates the CEL filters of %s on fields every delivery reaching them has',
      (name) => {
        const trigger = triggers.find((t) => t.name === name)!;
        const paths = celFiltersOf(trigger).flatMap(celFilterPaths);
        expect(paths.length).toBeGreaterThan(0);
        const reaching = [...REF_EVENT_TYPES, ...PULL_REQUEST_EVENT_TYPES]
          .map((type) => ({ type, delivery: deliveryOf(format, type, repo) }))
          .filter(({ delivery }) => reachesCel(trigger, delivery));
        expect(reaching.length).toBeGreaterThan(0);
        for (const { type, delivery } of reaching)
          for (const path of paths)
            expect(resolveReference(delivery, path), `${type} ${path}`).toBeDefined();
      },
    );
  });
});
