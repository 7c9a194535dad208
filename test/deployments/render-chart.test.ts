import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeValues, renderChart, renderedObjects } from './render-chart.js';

function chartWith(
  templates: Record<string, string>,
  values = 'replicas: 1\nlabels: {a: x}\n',
): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'chart-'));
  mkdirSync(path.join(dir, 'templates'));
  writeFileSync(
    path.join(dir, 'Chart.yaml'),
    'apiVersion: v2\nname: demo\nversion: 1.2.3\nappVersion: "4.5"\n',
  );
  writeFileSync(path.join(dir, 'values.yaml'), values);
  for (const [file, text] of Object.entries(templates)) {
    writeFileSync(path.join(dir, 'templates', file), text);
  }
  return dir;
}

describe('renderChart', () => {
  it('merges values like -f: maps key by key, lists replaced, null removes a default', () => {
    expect(
      mergeValues({ a: { b: 1, c: 2 }, l: [1, 2], gone: 'x' }, { a: { c: 3 }, l: [9], gone: null }),
    ).toEqual({ a: { b: 1, c: 3 }, l: [9] });
  });

  it('renders with .Values, .Release, .Chart and .Template, skipping partials', () => {
    const chart = chartWith({
      '_helpers.tpl': '{{- define "demo.name" -}}{{ .Release.Name }}-{{ .Chart.Name }}{{- end }}',
      'cm.yaml': [
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata:',
        '  name: {{ include "demo.name" . }}',
        '  labels:',
        '    {{- toYaml .Values.labels | nindent 4 }}',
        'data:',
        '  version: {{ .Chart.AppVersion | quote }}',
        '  self: {{ .Template.Name }}',
        '  replicas: {{ .Values.replicas | quote }}',
        '  missing: "{{ .Values.nothing }}"',
      ].join('\n'),
    });
    const rendered = renderChart(chart, { releaseName: 'rel', values: { replicas: 2 } });
    expect([...rendered.files.keys()]).toEqual(['cm.yaml']);
    expect(renderedObjects(rendered)).toEqual([
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'rel-demo', labels: { a: 'x' } },
        data: { version: '4.5', self: 'demo/templates/cm.yaml', replicas: '2', missing: '' },
      },
    ]);
  });

  it('includes another file by its path under .Template.BasePath', () => {
    const chart = chartWith({
      'a.yaml': 'kind: A\nsum: {{ include (print $.Template.BasePath "/b.yaml") . | sha256sum }}',
      'b.yaml': 'kind: B\nreplicas: {{ .Values.replicas }}',
    });
    const first = renderedObjects(renderChart(chart))[0];
    const second = renderedObjects(renderChart(chart, { values: { replicas: 2 } }))[0];
    expect(first?.sum).toMatch(/^[0-9a-f]{64}$/);
    expect(second?.sum).not.toBe(first?.sum);
  });

  it('fails the whole render when a template calls fail', () => {
    const chart = chartWith({
      'ok.yaml': 'kind: Ok',
      'x.yaml':
        '{{- if gt (int .Values.replicas) 1 }}\n{{- fail "one only" }}\n{{- end }}\nkind: X',
    });
    expect(renderedObjects(renderChart(chart)).map((o) => o.kind)).toEqual(['Ok', 'X']);
    expect(() => renderChart(chart, { values: { replicas: 2 } })).toThrow(
      'execution error at (demo/templates/x.yaml:2): one only',
    );
  });
});
