import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { loadShippedConfig, PLACEHOLDER_ENV, unknownConfigKeys } from './shipped-config.js';
import {
  hasValuesPath,
  PLACEHOLDER,
  stripTemplateActions,
  valuesReferences,
} from './strip-template-actions.js';
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
    annotations: { 'example.com/i': 'x' },
    tls: [{ secretName: 'tls', hosts: ['reposentry.example.com'] }],
  },
  serviceMonitor: { ...(values.serviceMonitor as object), labels: { release: 'prometheus' } },
  networkPolicy: {
    enabled: true,
    ingress: { from: [{ namespaceSelector: { matchLabels: { name: 'monitoring' } } }] },
    egress: {
      ...((values.networkPolicy as Record<string, object>).egress as object),
      extra: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ port: 443 }] }],
    },
  },
};

function manifests(file: string, withValues: unknown = values): Json[] {
  const text = stripTemplateActions(read(`templates/${file}`), withValues);
  return yaml.loadAll(text).filter((doc) => doc !== null) as Json[];
}

function manifestOfKind(kind: string, withValues: unknown = values): Json {
  const found = manifestFiles
    .flatMap((file) => manifests(file, withValues))
    .find((doc) => doc.kind === kind);
  expect(found, `a ${kind} template`).toBeDefined();
  return found!;
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
        'deployment.yaml',
        'pvc.yaml',
        'service.yaml',
        'ingress.yaml',
        'servicemonitor.yaml',
        'networkpolicy.yaml',
        'serviceaccount.yaml',
      ]),
    );
  });

  it.each(manifestFiles)(
    'templates/%s parses as Kubernetes YAML once actions are removed',
    (file) => {
      const docs = manifests(file);
      expect(docs.length).toBeGreaterThan(0);
      for (const doc of docs) {
        expect(doc).toHaveProperty('apiVersion');
        expect(doc).toHaveProperty('kind');
        expect(doc).toHaveProperty('metadata.name');
      }
    },
  );

  it.each(manifestFiles)('templates/%s still parses with every optional value set', (file) => {
    expect(manifests(file, everythingSet).length).toBeGreaterThan(0);
  });

  it('puts each optional value where Kubernetes expects it', () => {
    const deployment = manifestOfKind('Deployment', everythingSet) as {
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
      { name: 'HTTPS_PROXY', value: 'http://proxy:3128' },
    ]);
    expect(workloadProblems(deployment)).toEqual([]);
    const policy = manifestOfKind('NetworkPolicy', everythingSet) as { spec: Json };
    expect(policy.spec.ingress).toEqual([
      {
        ports: [{ port: 'http', protocol: 'TCP' }],
        from: [{ namespaceSelector: { matchLabels: { name: 'monitoring' } } }],
      },
    ]);
    expect(policy.spec.egress).toHaveLength(4);
    expect(manifestOfKind('Ingress', everythingSet)).toMatchObject({
      spec: { tls: [{ secretName: 'tls' }] },
    });
    expect(manifestOfKind('ServiceMonitor', everythingSet)).toMatchObject({
      metadata: { labels: { release: 'prometheus' } },
      spec: { endpoints: [{ port: 'http', path: '/metrics' }] },
    });
  });

  it('renders values.yaml config into a ConfigMap whose config.yaml the daemon accepts', () => {
    const configMap = manifestOfKind('ConfigMap') as { data: Record<string, string> };
    const rendered = yaml.load(configMap.data['config.yaml']!);
    expect(rendered).toEqual(values.config);
    expect(loadShippedConfig(rendered)).not.toHaveProperty('problems');
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

  it('runs one pod with the Recreate strategy, probes on /healthz and /readyz, locked down', () => {
    const deployment = manifestOfKind('Deployment');
    expect(workloadProblems(deployment)).toEqual([]);
    expect(read('templates/deployment.yaml')).not.toMatch(/replicas:\s*\{\{/);
  });

  it('rolls the pod when the config changes (checksum annotation)', () => {
    expect(read('templates/deployment.yaml')).toMatch(
      /checksum\/config: \{\{ include \(print \$\.Template\.BasePath "\/configmap\.yaml"\) \. \| sha256sum \}\}/,
    );
  });

  it('never implies a second replica: no HPA, no PodDisruptionBudget, no replica count value', () => {
    const kinds = manifestFiles.flatMap(manifests).map((doc) => doc.kind);
    expect(kinds).not.toContain('HorizontalPodAutoscaler');
    expect(kinds).not.toContain('PodDisruptionBudget');
    expect(Object.keys(values)).not.toEqual(expect.arrayContaining(['replicaCount']));
    expect(Object.keys(values)).not.toEqual(expect.arrayContaining(['autoscaling']));
  });

  it('claims a ReadWriteOnce volume for the database', () => {
    const claim = manifestOfKind('PersistentVolumeClaim');
    expect(claim).toMatchObject({ spec: { accessModes: ['ReadWriteOnce'] } });
  });

  it('renders config into the ConfigMap and passes the Secret keys the config references', () => {
    expect(read('templates/configmap.yaml')).toContain('{{- toYaml .Values.config | nindent 4 }}');
    const secret = manifestOfKind('Secret') as { data: Json };
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
    });
    expect(values.resources).toHaveProperty('requests');
  });

  describe('values.yaml config', () => {
    const config = values.config as Record<string, Json>;

    it('uses only configuration keys (SPEC section 2)', () => {
      expect(unknownConfigKeys(config)).toEqual([]);
    });

    it('is accepted by the daemon with the chart Secret set, and with it left empty', () => {
      const loaded = loadShippedConfig(config);
      expect(loaded).not.toHaveProperty('problems');
      if ('config' in loaded) expect(loaded.config.warnings).toEqual([]);
      const empty = Object.fromEntries(Object.keys(PLACEHOLDER_ENV).map((name) => [name, '']));
      expect(loadShippedConfig(config, empty)).not.toHaveProperty('problems');
    });

    it('keeps state on the volume and serves on the container port the probes use', () => {
      expect(config.app).toMatchObject({ data_dir: '/data' });
      expect(config.storage).toMatchObject({ sqlite: { path: '/data/reposentry.db' } });
      expect(config.api).toMatchObject({ listen_address: '0.0.0.0' });
      const port = reposentryContainer(manifestOfKind('Deployment'))?.ports;
      expect(port).toEqual([{ name: 'http', containerPort: PLACEHOLDER, protocol: 'TCP' }]);
      expect(read('templates/deployment.yaml')).toContain(
        'containerPort: {{ .Values.config.app.health_check_port }}',
      );
    });
  });
});
