import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Provider, ResolvedPayloadFormat } from '../../src/config/config-types.js';
import { REF_EVENT_TYPES, type EventType } from '../../src/events/change-event.js';
import { buildPayload } from '../../src/trigger/payloads/build-payload.js';
import { sampleChangeEvent } from '../../src/trigger/payloads/sample-change-event.js';
import { signDelivery } from '../../src/trigger/sign-delivery.js';
import {
  byKind,
  celFilterPaths,
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

/** Which trigger (and binding) in deployments/tekton serves each payload_format. */
const TRIGGER_FOR: Record<ResolvedPayloadFormat, { trigger: string; binding: string }> = {
  github: { trigger: 'github-push', binding: 'reposentry-github-push' },
  gitlab: { trigger: 'gitlab-push', binding: 'reposentry-gitlab-push' },
  cloudevents: { trigger: 'reposentry-cloudevents', binding: 'reposentry-cloudevents' },
  reposentry: { trigger: 'reposentry-go-compatible', binding: 'reposentry-go-compatible' },
};
const FORMATS = Object.keys(TRIGGER_FOR) as ResolvedPayloadFormat[];
const NOT_DELETED = REF_EVENT_TYPES.filter((type) => !type.endsWith('.deleted'));

/** A delivery exactly as the daemon sends it: built body and headers plus send-time headers. */
function deliveryOf(format: ResolvedPayloadFormat, type: EventType, repo: Repo, secret = SECRET) {
  const event = sampleChangeEvent(repo, { type, detectedAt: new Date('2025-05-06T07:08:09Z') });
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

describe('deployments/tekton', () => {
  it('defines one EventListener whose triggers reference bindings and templates defined here', () => {
    expect(listeners).toHaveLength(1);
    expect(triggers.map((t) => t.name).sort()).toEqual(
      FORMATS.map((format) => TRIGGER_FOR[format].trigger).sort(),
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
      const used = [
        ...JSON.stringify(template.spec!.resourcetemplates).matchAll(/tt\.params\.([\w-]+)/g),
      ];
      const names = new Set(declared.map((p) => p.name));
      expect(used.map((m) => m[1]).filter((name) => !names.has(name!))).toEqual([]);
    }
  });

  it('binds $(body...) and $(header...) paths in every binding', () => {
    for (const format of FORMATS) {
      const refs = paramsOf(TRIGGER_FOR[format].binding).flatMap((p) =>
        referencesIn(String(p.value)),
      );
      expect(refs.length, format).toBeGreaterThan(3);
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

describe('the EventListener', () => {
  describe.each(FORMATS)('given %s deliveries', (format) => {
    const { trigger: expected } = TRIGGER_FOR[format];
    const repo =
      format === 'gitlab' ? REPOSITORIES['gitlab subgroup']! : REPOSITORIES['github.com']!;

    it.each(NOT_DELETED)('fires only its own trigger for %s', (type) => {
      expect(firedTriggers(deliveryOf(format, type, repo))).toEqual([expected]);
    });

    it.each(REF_EVENT_TYPES.filter((type) => type.endsWith('.deleted')))(
      'fires nothing for %s (nothing to build)',
      (type) => {
        expect(firedTriggers(deliveryOf(format, type, repo))).toEqual([]);
      },
    );

    it('fires nothing when the delivery was signed with another secret', () => {
      expect(firedTriggers(deliveryOf(format, 'branch.updated', repo, 'wrong-secret'))).toEqual([]);
    });

    it('evaluates its CEL filters on fields the payload always has', () => {
      const trigger = triggers.find((t) => t.name === expected)!;
      const filters = (trigger.interceptors ?? [])
        .filter((i) => i.ref.name === 'cel')
        .map((i) => String(i.params!.find((p) => p.name === 'filter')!.value));
      const paths = filters.flatMap(celFilterPaths);
      expect(paths.length).toBeGreaterThan(0);
      for (const type of REF_EVENT_TYPES) {
        const delivery = deliveryOf(format, type, repo);
        for (const path of paths)
          expect(resolveReference(delivery, path), `${type} ${path}`).toBeDefined();
      }
    });
  });
});
