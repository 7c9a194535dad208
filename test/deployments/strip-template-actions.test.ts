import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import {
  hasValuesPath,
  PLACEHOLDER,
  stripTemplateActions,
  TemplateStructureError,
  valuesReferences,
} from './strip-template-actions.js';

describe('stripTemplateActions', () => {
  it('keeps the structure, the first branch of an if/else, and a range body once', () => {
    const template = [
      '{{- if .Values.enabled }}',
      'kind: Thing',
      'metadata:',
      '  name: {{ include "x.fullname" . }}',
      '  labels:',
      '    {{- include "x.labels" . | nindent 4 }}',
      'spec:',
      '  {{- if .Values.a }}',
      '  mode: a',
      '  {{- else if .Values.b }}',
      '  mode: b',
      '  {{- else }}',
      '  mode: c',
      '  {{- end }}',
      '  items:',
      '    {{- range .Values.items }}',
      '    - {{ . | quote }}',
      '    {{- end }}',
      '{{- end }}',
    ].join('\n');
    expect(yaml.load(stripTemplateActions(template))).toEqual({
      kind: 'Thing',
      metadata: { name: PLACEHOLDER, labels: null },
      spec: { mode: 'a', items: [PLACEHOLDER] },
    });
  });

  it('renders a whole-line toYaml of a non-empty value at its nindent, and drops an empty one', () => {
    const template =
      'spec:\n  a:\n    {{- toYaml .Values.a | nindent 4 }}\n  b:\n    {{- toYaml .Values.b | nindent 4 }}';
    expect(yaml.load(stripTemplateActions(template, { a: { x: [1, 2] }, b: {} }))).toEqual({
      spec: { a: { x: [1, 2] }, b: null },
    });
    const misindented = 'spec:\n  a:\n    {{- toYaml .Values.a | nindent 2 }}\n  b: 1';
    // a wrong nindent puts the keys in the wrong place, which the structural checks notice
    expect(yaml.load(stripTemplateActions(misindented, { a: { x: 1 } }))).toEqual({
      spec: { a: null, x: 1, b: 1 },
    });
  });

  it('lets a template with broken indentation fail to parse', () => {
    const broken = 'metadata:\n  name: {{ .Values.name }}\n labels: {}\n';
    expect(() => yaml.load(stripTemplateActions(broken))).toThrow();
  });

  it('rejects control actions mixed with text and unbalanced blocks', () => {
    expect(() => stripTemplateActions('a: {{ if .Values.x }}1{{ end }}')).toThrow(
      TemplateStructureError,
    );
    expect(() => stripTemplateActions('{{- if .Values.x }}\na: 1')).toThrow(/never closed/);
    expect(() => stripTemplateActions('a: 1\n{{- end }}')).toThrow(/without an open block/);
  });

  it('finds .Values paths, including $.Values inside range and with', () => {
    expect(
      valuesReferences('{{ .Values.a.b | quote }} {{ $.Values.c }} {{ toYaml .Values.d.e_f }}'),
    ).toEqual(['a.b', 'c', 'd.e_f']);
    expect(hasValuesPath({ a: { b: '' } }, 'a.b')).toBe(true);
    expect(hasValuesPath({ a: { b: '' } }, 'a.c')).toBe(false);
    expect(hasValuesPath({ a: '' }, 'a.b')).toBe(false);
  });
});
