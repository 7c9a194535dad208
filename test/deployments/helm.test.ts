import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { podEnvironment, type SecretValues, secretValues } from './pod-environment.js';
import { renderChart, renderedObjects } from './render-chart.js';
import {
  loadShippedConfig,
  PLACEHOLDER_DATABASE_URL,
  PLACEHOLDER_ENV,
  unknownConfigKeys,
} from './shipped-config.js';
import { hasValuesPath, stripTemplateActions, valuesReferences } from './strip-template-actions.js';
import { reposentryContainer, workloadProblems } from './workload-problems.js';

type Json = Record<string, unknown>;

const CHART = path.resolve(import.meta.dirname, '../../deployments/helm/reposentry');
const TEMPLATES = path.join(CHART, 'templates');
const read = (file: string): string => readFileSync(path.join(CHART, file), 'utf8');

const values = yaml.load(read('values.yaml')) as Json;
const templateFiles = readdirSync(TEMPLATES).sort();
const manifestFiles = templateFiles.filter((f) => f.endsWith('.yaml'));

/** values.yaml with every optional block filled, so the nindent of each toYaml is exercised. */
const everythingSet = {
  ...values,
  imagePullSecrets: [{ name: 'registry' }],
  extraEnv: [{ name: 'HTTPS_PROXY', value: 'http://proxy:3128' }],
  podAnnotations: { 'example.com/a': 'x' },
  podLabels: { team: 'ci' },
  nodeSelector: { 'kubernetes.io/os': 'linux' },
  tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }],
  affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } },
  service: { type: 'ClusterIP', port: 8080, annotations: { 'example.com/s': 'x' } },
  serviceAccount: { create: true, name: '', annotations: { 'example.com/sa': 'x' } },
  persistence: {
    ...(values.persistence as object),
    annotations: { 'helm.sh/resource-policy': 'keep' },
  },
  ingress: {
    ...(values.ingress as object),
    enabled: true,
    annotations: { 'example.com/i': 'x' },
    tls: [{ secretName: 'tls', hosts: ['reposentry.example.com'] }],
  },
  serviceMonitor: {
    ...(values.serviceMonitor as object),
    enabled: true,
    labels: { release: 'prometheus' },
  },
  networkPolicy: {
    enabled: true,
    ingress: { from: [{ namespaceSelector: { matchLabels: { name: 'monitoring' } } }] },
    egress: {
      ...((values.networkPolicy as Record<string, object>).egress as object),
      extra: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ port: 443 }] }],
    },
  },
};

/** Three replicas on PostgreSQL, the URL from a Secret the user manages. */
const POSTGRES = {
  config: { storage: { type: 'postgres' } },
  replicaCount: 3,
  database: { existingSecret: 'reposentry-database', existingSecretKey: 'uri' },
};
/** The Secrets a user creates beside the chart: the database URL (and, with it, nothing else). */
const USER_SECRETS: SecretValues = { 'reposentry-database': { uri: PLACEHOLDER_DATABASE_URL } };

/** Step 3 of the move to PostgreSQL in values.yaml: SQLite, no pod, the migration Job. */
const MIGRATION = {
  replicaCount: 0,
  migration: { enabled: true },
  database: { existingSecret: 'reposentry-database', existingSecretKey: 'uri' },
};

/** A template with its actions stripped: the structure of every branch at once. */
function stripped(file: string, withValues: unknown = values): Json[] {
  const text = stripTemplateActions(read(`templates/${file}`), withValues);
  return yaml.loadAll(text).filter((doc) => doc !== null) as Json[];
}

/** The objects `helm template rs` renders with these values over values.yaml. */
const render = (overrides: Json = {}): Json[] =>
  renderedObjects(renderChart(CHART, { values: overrides, releaseName: 'rs' }));

function ofKind(objects: readonly Json[], kind: string): Json {
  const found = objects.filter((doc) => doc.kind === kind);
  expect(found, `exactly one ${kind}`).toHaveLength(1);
  return found[0]!;
}

/** Makes `make` run at first use, inside a test, so a chart that fails to render fails that test. */
function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

const kindsOf = (objects: readonly Json[]): unknown[] => objects.map((doc) => doc.kind);

/** The config.yaml of the rendered ConfigMap. */
const renderedConfig = (objects: readonly Json[]): Json =>
  yaml.load((ofKind(objects, 'ConfigMap').data as Record<string, string>)['config.yaml']!) as Json;

/** The rendered config loaded with exactly the environment the rendered pod would get. */
function loadAsThePodWould(objects: readonly Json[], userSecrets: SecretValues = {}) {
  const container = reposentryContainer(ofKind(objects, 'Deployment'));
  const { env, problems } = podEnvironment(container, { ...userSecrets, ...secretValues(objects) });
  expect(problems).toEqual([]);
  return { env, loaded: loadShippedConfig(renderedConfig(objects), env) };
}

describe('deployments/helm/reposentry', () => {
  it('has a v2 Chart.yaml and the expected templates', () => {
    const chart = yaml.load(read('Chart.yaml')) as Json;
    expect(chart).toMatchObject({ apiVersion: 'v2', name: 'reposentry', type: 'application' });
    expect(templateFiles).toEqual(
      expect.arrayContaining([
        '_helpers.tpl',
        'NOTES.txt',
        'configmap.yaml',
        'secret.yaml',
        'database-secret.yaml',
        'deployment.yaml',
        'pdb.yaml',
        'pvc.yaml',
        'migrate-job.yaml',
        'service.yaml',
        'ingress.yaml',
        'servicemonitor.yaml',
        'networkpolicy.yaml',
        'serviceaccount.yaml',
      ]),
    );
  });

  it.each(manifestFiles)(
    'templates/%s parses as Kubernetes YAML once actions are removed (every branch)',
    (file) => {
      const docs = stripped(file);
      expect(docs.length).toBeGreaterThan(0);
      for (const doc of docs) {
        expect(doc).toHaveProperty('apiVersion');
        expect(doc).toHaveProperty('kind');
        expect(doc).toHaveProperty('metadata.name');
      }
    },
  );

  it.each(manifestFiles)('templates/%s still parses with every optional value set', (file) => {
    expect(stripped(file, everythingSet).length).toBeGreaterThan(0);
  });

  it.each([
    ['the defaults (SQLite)', {}],
    ['every optional value set', everythingSet],
    ['PostgreSQL with 3 replicas', POSTGRES],
    ['the migration Job', MIGRATION],
  ])('renders with %s into objects that each have apiVersion, kind and name', (_name, set) => {
    const rendered = renderChart(CHART, { values: set, releaseName: 'rs' });
    const objects = renderedObjects(rendered);
    expect(objects.length).toBeGreaterThan(4);
    for (const doc of objects) {
      expect(doc).toHaveProperty('apiVersion');
      expect(doc).toHaveProperty('kind');
      expect(doc).toHaveProperty('metadata.name');
    }
    expect(rendered.notes).toContain('RepoSentry');
  });

  it('puts each optional value where Kubernetes expects it', () => {
    const objects = render(everythingSet);
    const deployment = ofKind(objects, 'Deployment') as {
      spec: { template: { metadata: Record<string, Record<string, string>>; spec: Json } };
    };
    const pod = deployment.spec.template;
    expect(Object.keys(pod.metadata.annotations!)).toEqual([
      'checksum/config',
      'checksum/secret',
      'example.com/a',
    ]);
    expect(pod.metadata.labels).toHaveProperty('team', 'ci');
    expect(pod.spec).toMatchObject({
      imagePullSecrets: [{ name: 'registry' }],
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      tolerations: [{ key: 'dedicated' }],
      affinity: { nodeAffinity: {} },
    });
    expect(reposentryContainer(deployment)?.env).toEqual([
      { name: 'HOME', value: '/tmp' },
      { name: 'REPOSENTRY_DATABASE_URL', value: '' },
      { name: 'HTTPS_PROXY', value: 'http://proxy:3128' },
    ]);
    expect(workloadProblems(deployment)).toEqual([]);
    const policy = ofKind(objects, 'NetworkPolicy') as { spec: Json };
    expect(policy.spec.ingress).toEqual([
      {
        ports: [{ port: 'http', protocol: 'TCP' }],
        from: [{ namespaceSelector: { matchLabels: { name: 'monitoring' } } }],
      },
    ]);
    expect(policy.spec.egress).toHaveLength(4);
    expect(ofKind(objects, 'Ingress')).toMatchObject({
      spec: { tls: [{ secretName: 'tls' }] },
    });
    expect(ofKind(objects, 'ServiceMonitor')).toMatchObject({
      metadata: { labels: { release: 'prometheus' } },
      spec: { endpoints: [{ port: 'http', path: '/metrics' }] },
    });
    expect(ofKind(objects, 'PersistentVolumeClaim')).toMatchObject({
      metadata: { annotations: { 'helm.sh/resource-policy': 'keep' } },
    });
  });

  it('renders values.yaml config into a ConfigMap whose config.yaml the daemon accepts', () => {
    const objects = render();
    expect(renderedConfig(objects)).toEqual(values.config);
    const { env, loaded } = loadAsThePodWould(objects);
    expect(env).toHaveProperty('REPOSENTRY_DATABASE_URL', '');
    expect(loaded).not.toHaveProperty('problems');
  });

  it.each(templateFiles)(
    'templates/%s uses only .Values paths that values.yaml defines',
    (file) => {
      const undefinedPaths = valuesReferences(read(`templates/${file}`)).filter(
        (ref) => !hasValuesPath(values, ref),
      );
      expect(undefinedPaths).toEqual([]);
    },
  );

  it('uses every top-level key of values.yaml in some template', () => {
    const used = new Set(
      templateFiles
        .flatMap((f) => valuesReferences(read(`templates/${f}`)))
        .map((p) => p.split('.')[0]),
    );
    expect(Object.keys(values).filter((key) => !used.has(key))).toEqual([]);
  });

  it('documents only --set keys that values.yaml defines', () => {
    const readme = readFileSync(path.resolve(CHART, '../../kubernetes/README.md'), 'utf8');
    const keys = [
      ...`${read('values.yaml')}\n${readme}`.matchAll(/--set(?:-json)? '?([\w.]+)=/g),
    ].map((m) => m[1]!);
    expect(keys.length).toBeGreaterThan(3);
    expect(keys.filter((key) => !hasValuesPath(values, key))).toEqual([]);
  });

  it('rolls the pod when the config changes (checksum annotation)', () => {
    expect(read('templates/deployment.yaml')).toMatch(
      /checksum\/config: \{\{ include \(print \$\.Template\.BasePath "\/configmap\.yaml"\) \. \| sha256sum \}\}/,
    );
  });

  describe('with SQLite (the default)', () => {
    it('runs one pod with the Recreate strategy, probes on /healthz and /readyz, locked down', () => {
      const deployment = ofKind(render(), 'Deployment');
      expect(workloadProblems(deployment)).toEqual([]);
      expect(deployment).toMatchObject({ spec: { replicas: 1, strategy: { type: 'Recreate' } } });
      expect(deployment).not.toHaveProperty('spec.template.spec.affinity');
    });

    it('claims a ReadWriteOnce volume for the database and has no PodDisruptionBudget', () => {
      const objects = render();
      expect(ofKind(objects, 'PersistentVolumeClaim')).toMatchObject({
        metadata: { name: 'rs-reposentry-data' },
        spec: { accessModes: ['ReadWriteOnce'] },
      });
      expect(kindsOf(objects)).not.toContain('PodDisruptionBudget');
      expect(kindsOf(objects)).not.toContain('HorizontalPodAutoscaler');
      expect(kindsOf(objects)).not.toContain('Job');
    });

    it.each([
      ['a values file', 2],
      ['--set', 2n],
    ])('refuses replicaCount 2 from %s, naming the fix', (_from, replicaCount) => {
      expect(() => render({ replicaCount })).toThrow(
        'replicaCount is 2, but config.storage.type is sqlite: SQLite allows one pod (replicaCount 0 or 1). Several replicas need config.storage.type postgres',
      );
    });

    it('stops the daemon with replicaCount 0 and keeps the volume', () => {
      const objects = render({ replicaCount: 0 });
      expect(ofKind(objects, 'Deployment')).toMatchObject({
        spec: { replicas: 0, strategy: { type: 'Recreate' } },
      });
      expect(kindsOf(objects)).toContain('PersistentVolumeClaim');
    });
  });

  describe('with PostgreSQL and replicaCount 3', () => {
    const objects = once(() => render(POSTGRES));
    const deployment = (): Json => ofKind(objects(), 'Deployment');
    const pod = (): { metadata: { labels: Json }; spec: Json } =>
      (deployment().spec as { template: { metadata: { labels: Json }; spec: Json } }).template;

    it('runs 3 replicas with a rolling update that never lowers the number of pods', () => {
      expect(workloadProblems(deployment(), 'postgres')).toEqual([]);
      expect(deployment()).toMatchObject({
        spec: {
          replicas: 3,
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        },
      });
    });

    it('has a PodDisruptionBudget that keeps one of these pods', () => {
      const budget = ofKind(objects(), 'PodDisruptionBudget');
      expect(budget).toMatchObject({ apiVersion: 'policy/v1', spec: { minAvailable: 1 } });
      const selector = (budget.spec as { selector: { matchLabels: Json } }).selector.matchLabels;
      expect(Object.keys(selector).length).toBeGreaterThan(0);
      expect(pod().metadata.labels).toMatchObject(selector);
    });

    it('passes REPOSENTRY_DATABASE_URL from the Secret and key named in values', () => {
      const env = reposentryContainer(deployment())?.env as Json[];
      expect(env.filter((e) => e.name === 'REPOSENTRY_DATABASE_URL')).toEqual([
        {
          name: 'REPOSENTRY_DATABASE_URL',
          valueFrom: { secretKeyRef: { name: 'reposentry-database', key: 'uri' } },
        },
      ]);
      expect(kindsOf(objects()).filter((kind) => kind === 'Secret')).toHaveLength(1);
    });

    it('renders a config that the daemon loads as postgres with the URL from the pod environment', () => {
      const config = renderedConfig(objects());
      expect(config.storage).toMatchObject({
        type: 'postgres',
        postgres: { url: '${REPOSENTRY_DATABASE_URL}' },
      });
      expect(unknownConfigKeys(config)).toEqual([]);
      const { loaded } = loadAsThePodWould(objects(), USER_SECRETS);
      expect(loaded).not.toHaveProperty('problems');
      if (!('config' in loaded)) return;
      expect(loaded.config.storage).toMatchObject({
        type: 'postgres',
        postgres: { url: PLACEHOLDER_DATABASE_URL, maxConnections: 10 },
      });
      expect(loaded.config.ha.leaseTtlMs).toBe(15_000);
      expect(loaded.config.warnings).toEqual([]);
    });

    it('claims no volume: /data is an emptyDir in each pod', () => {
      expect(kindsOf(objects())).not.toContain('PersistentVolumeClaim');
      const volumes = pod().spec.volumes as Json[];
      expect(volumes.find((v) => v.name === 'data')).toEqual({ name: 'data', emptyDir: {} });
    });

    it('prefers putting the replicas on different nodes', () => {
      expect(pod().spec.affinity).toEqual({
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 100,
              podAffinityTerm: {
                topologyKey: 'kubernetes.io/hostname',
                labelSelector: { matchLabels: pod().metadata.labels },
              },
            },
          ],
        },
      });
    });

    it('creates the URL Secret from database.url, rolling the pods when it changes', () => {
      const withUrl = render({ ...POSTGRES, database: { url: PLACEHOLDER_DATABASE_URL } });
      const secret = withUrl.find(
        (doc) => doc.metadata && (doc.metadata as Json).name === 'rs-reposentry-database',
      );
      expect(secret).toMatchObject({ kind: 'Secret' });
      const { env, loaded } = loadAsThePodWould(withUrl);
      expect(env.REPOSENTRY_DATABASE_URL).toBe(PLACEHOLDER_DATABASE_URL);
      expect(loaded).not.toHaveProperty('problems');
      const annotations = (ofKind(withUrl, 'Deployment').spec as { template: { metadata: Json } })
        .template.metadata.annotations;
      expect(annotations).toHaveProperty('checksum/database');
    });

    it('refuses to render without a database URL', () => {
      expect(() => render({ ...POSTGRES, database: { existingSecret: '' } })).toThrow(
        'config.storage.type postgres and migration.enabled need the PostgreSQL URL',
      );
    });

    it('refuses a PodDisruptionBudget that would block every drain', () => {
      expect(() => render({ ...POSTGRES, podDisruptionBudget: { minAvailable: 3 } })).toThrow(
        'podDisruptionBudget.minAvailable must be below replicaCount (3)',
      );
    });

    it('runs a single PostgreSQL replica without a budget or anti-affinity', () => {
      const single = render({ ...POSTGRES, replicaCount: 1 });
      expect(workloadProblems(ofKind(single, 'Deployment'), 'postgres')).toEqual([]);
      expect(kindsOf(single)).not.toContain('PodDisruptionBudget');
      expect(ofKind(single, 'Deployment')).not.toHaveProperty('spec.template.spec.affinity');
    });
  });

  describe('the migration Job (moving from SQLite to PostgreSQL)', () => {
    type JobManifest = {
      spec: { backoffLimit: number; template: { metadata: { labels: Json }; spec: Json } };
    };
    const objects = once(() => render(MIGRATION));
    const job = (): JobManifest => ofKind(objects(), 'Job') as JobManifest;
    const container = (): Json => (job().spec.template.spec.containers as Json[])[0]!;

    it('runs storage migrate on the SQLite volume with the URL from the Secret', () => {
      expect(container().args).toEqual([
        'storage',
        'migrate',
        '--to',
        'env:REPOSENTRY_DATABASE_URL',
        '-c',
        '/config/config.yaml',
      ]);
      const volumes = job().spec.template.spec.volumes as Json[];
      expect(volumes.find((v) => v.name === 'data')).toEqual({
        name: 'data',
        persistentVolumeClaim: { claimName: 'rs-reposentry-data' },
      });
      expect(job().spec.backoffLimit).toBe(0);
      const { env, problems } = podEnvironment(container(), {
        ...USER_SECRETS,
        ...secretValues(objects()),
      });
      expect(problems).toEqual([]);
      expect(env.REPOSENTRY_DATABASE_URL).toBe(PLACEHOLDER_DATABASE_URL);
      const loaded = loadShippedConfig(renderedConfig(objects()), env);
      expect(loaded).toMatchObject({
        config: { storage: { type: 'sqlite', sqlitePath: '/data/reposentry.db' } },
      });
    });

    it('runs while the Deployment has no pod, and is not behind the Service', () => {
      expect(ofKind(objects(), 'Deployment')).toMatchObject({ spec: { replicas: 0 } });
      const selector = (ofKind(objects(), 'Service').spec as { selector: Json }).selector;
      expect(job().spec.template.metadata.labels).not.toMatchObject(selector);
      expect(container().securityContext).toMatchObject({ readOnlyRootFilesystem: true });
    });

    it.each([
      [
        'a running SQLite pod',
        { replicaCount: 1 },
        'migration.enabled needs replicaCount 0 (it is 1)',
      ],
      [
        'PostgreSQL already',
        { config: { storage: { type: 'postgres' } } },
        'run it while config.storage.type is still sqlite',
      ],
      [
        'no volume',
        { persistence: { enabled: false } },
        'migration.enabled needs persistence.enabled',
      ],
    ])('refuses to run with %s', (_name, set, message) => {
      expect(() => render({ ...MIGRATION, ...set })).toThrow(message);
    });
  });

  it('renders config into the ConfigMap and passes the Secret keys the config references', () => {
    expect(read('templates/configmap.yaml')).toContain('{{- toYaml .Values.config | nindent 4 }}');
    const secret = ofKind(render(), 'Secret') as { data: Json };
    expect(Object.keys(secret.data)).toEqual(expect.arrayContaining(Object.keys(PLACEHOLDER_ENV)));
  });

  it('has the restricted securityContext and the optional extras in values.yaml', () => {
    expect(values).toMatchObject({
      podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      securityContext: {
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      },
      persistence: { enabled: true },
      serviceMonitor: { enabled: false },
      ingress: { enabled: false },
      networkPolicy: { egress: { dns: true } },
      secrets: { existingSecret: '' },
      replicaCount: 1,
      migration: { enabled: false },
    });
    expect(values.resources).toHaveProperty('requests');
  });

  describe('values.yaml config', () => {
    const config = values.config as Record<string, Json>;

    it('uses only configuration keys (SPEC section 2)', () => {
      expect(unknownConfigKeys(config)).toEqual([]);
    });

    it('is accepted by the daemon with the chart Secret set, and with it left empty', () => {
      const env = { ...PLACEHOLDER_ENV, REPOSENTRY_DATABASE_URL: '' };
      const loaded = loadShippedConfig(config, env);
      expect(loaded).not.toHaveProperty('problems');
      if ('config' in loaded) expect(loaded.config.warnings).toEqual([]);
      const empty = Object.fromEntries(Object.keys(env).map((name) => [name, '']));
      expect(loadShippedConfig(config, empty)).not.toHaveProperty('problems');
    });

    it('allows ${REPOSENTRY_DATABASE_URL}, as the default allow list does', () => {
      const security = config.security as { allowed_env_vars: string[] };
      expect(security.allowed_env_vars).toContain('REPOSENTRY_DATABASE_URL');
      const { allowed_env_vars: _listed, ...securityWithoutList } = security;
      const withDefaultList = { ...config, security: securityWithoutList };
      expect(
        loadShippedConfig(withDefaultList, { ...PLACEHOLDER_ENV, REPOSENTRY_DATABASE_URL: '' }),
      ).not.toHaveProperty('problems');
      const narrowed = { ...config, security: { ...security, allowed_env_vars: ['*_TOKEN'] } };
      expect(
        loadShippedConfig(narrowed, { ...PLACEHOLDER_ENV, REPOSENTRY_DATABASE_URL: '' }),
      ).toMatchObject({
        problems: expect.arrayContaining([
          expect.stringContaining(
            'storage.postgres.url: environment variable REPOSENTRY_DATABASE_URL is not allowed',
          ),
        ]),
      });
    });

    it('keeps state on the volume and serves on the container port the probes use', () => {
      expect(config.app).toMatchObject({ data_dir: '/data' });
      expect(config.storage).toMatchObject({ sqlite: { path: '/data/reposentry.db' } });
      expect(config.api).toMatchObject({ listen_address: '0.0.0.0' });
      const port = reposentryContainer(ofKind(render(), 'Deployment'))?.ports;
      expect(port).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
      const moved = render({ config: { app: { health_check_port: 9090 } } });
      expect(reposentryContainer(ofKind(moved, 'Deployment'))?.ports).toEqual([
        { name: 'http', containerPort: 9090, protocol: 'TCP' },
      ]);
    });
  });

  it('describes the move from SQLite to PostgreSQL in values.yaml, step by step', () => {
    const text = read('values.yaml');
    const steps = [
      '--set replicaCount=0',
      'reposentry storage migrate --to\n#      env:REPOSENTRY_DATABASE_URL -c /config/config.yaml',
      '--set migration.enabled=true',
      '--set config.storage.type=postgres --set replicaCount=3',
    ].map((step) => text.indexOf(step));
    expect(steps.every((at) => at > 0)).toBe(true);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
  });
});
