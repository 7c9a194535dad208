import { describe, expect, it } from 'vitest';
import { GoTemplateExecError, GoTemplateSet } from './go-template-set.js';
import { formatFloat } from './go-value.js';
import { helmFunctions } from './helm-functions.js';
import { GoTemplateSyntaxError } from './parse-go-template.js';

/** Renders one template the way render-chart.ts does, with the Helm functions. */
function render(source: string, data: unknown = {}, partials: Record<string, string> = {}): string {
  const set: GoTemplateSet = new GoTemplateSet(helmFunctions((name, d) => set.execute(name, d)));
  for (const [name, text] of Object.entries(partials)) set.add(name, text);
  set.add('t.yaml', source);
  return set.execute('t.yaml', data);
}

describe('GoTemplateSet', () => {
  it('trims whitespace at {{- and -}} and drops comments', () => {
    expect(render('a  \n  {{- "b" -}}  \n c')).toBe('abc');
    expect(render('a {{/* note */}}b {{- /* trimmed */ -}} c')).toBe('a bc');
    expect(render('{{ 3 -}} x')).toBe('3x');
  });

  it('takes the first true branch of if / else if / else, by Go truth', () => {
    const t = '{{ if .a }}A{{ else if .b }}B{{ else }}C{{ end }}';
    expect(render(t, { a: 'x', b: true })).toBe('A');
    expect(render(t, { a: '', b: true })).toBe('B');
    expect(render(t, { a: 0, b: [] })).toBe('C');
    expect(render(t, { a: {}, b: { k: 1 } })).toBe('B');
  });

  it('ranges over lists and maps (keys sorted) with variables, and runs else when empty', () => {
    expect(render('{{ range $i, $v := .l }}{{ $i }}={{ $v }};{{ end }}', { l: ['a', 'b'] })).toBe(
      '0=a;1=b;',
    );
    expect(
      render('{{ range $k, $v := .m }}{{ $k }}:{{ $v }} {{ end }}', { m: { b: 2, a: 1 } }),
    ).toBe('a:1 b:2 ');
    expect(render('{{ range .l }}{{ . }}{{ else }}none{{ end }}', { l: [] })).toBe('none');
    expect(render('{{ range .missing }}x{{ else }}none{{ end }}')).toBe('none');
  });

  it('keeps $ as the data inside range and with, and scopes variables to their block', () => {
    const t =
      '{{ $x := "outer" }}{{ with .w }}{{ $x := "inner" }}{{ $x }}/{{ $.top }}{{ end }}/{{ $x }}';
    expect(render(t, { w: { a: 1 }, top: 'T' })).toBe('inner/T/outer');
    expect(render('{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}')).toBe('2');
  });

  it('includes defines from other files and named file templates with their own dot', () => {
    const helpers = '{{- define "name" -}}{{ .first }}-{{ .last }}{{- end }}';
    expect(
      render(
        '{{ include "name" .p | quote }}',
        { p: { first: 'a', last: 'b' } },
        { '_h.tpl': helpers },
      ),
    ).toBe('"a-b"');
  });

  it('evaluates and/or lazily, so a guarded call never runs', () => {
    expect(render('{{ if and .x (fail "not reached") }}y{{ end }}', { x: false })).toBe('');
    expect(render('{{ or .a .b "c" }}', { a: '', b: 0 })).toBe('c');
  });

  it('prints a missing key as <no value> and fails on a field of nothing', () => {
    expect(render('[{{ .a.missing }}]', { a: {} })).toBe('[<no value>]');
    expect(() => render('{{ .a.b.c }}', { a: {} })).toThrow(
      'template: t.yaml:1: nil pointer evaluating interface {}.c',
    );
    expect(() => render('{{ .a.b }}', { a: 'text' })).toThrow(
      "can't evaluate field b in type string",
    );
  });

  it('refuses to compare a float64 from values with an int literal, as Go does', () => {
    expect(() => render('{{ gt .n 1 }}', { n: 3 })).toThrow(
      'error calling gt: incompatible types for comparison',
    );
    expect(render('{{ gt (int .n) 1 }} {{ eq (int .s) 2 }}', { n: 3, s: '2' })).toBe('true true');
    expect(render('{{ eq .t "postgres" "sqlite" }}', { t: 'sqlite' })).toBe('true');
    expect(render('{{ eq .missing "x" }}')).toBe('false');
  });

  it('stops with the message of fail and required, and where it was called', () => {
    expect(() => render('a\n{{ fail "stop here" }}')).toThrow(
      new GoTemplateExecError('execution error at (t.yaml:2): stop here'),
    );
    expect(() => render('{{ required "set x" .x }}')).toThrow(
      'execution error at (t.yaml:1): set x',
    );
    expect(render('{{ required "set x" .x }}', { x: 'ok' })).toBe('ok');
  });

  it('rejects unknown functions and unbalanced blocks when parsing, in any branch', () => {
    expect(() => render('{{ if false }}{{ nosuch 1 }}{{ end }}')).toThrow(
      new GoTemplateSyntaxError('template: t.yaml:1: function "nosuch" not defined'),
    );
    expect(() => render('{{ if .a }}\nx')).toThrow('is never closed with {{ end }}');
    expect(() => render('x\n{{ end }}')).toThrow('template: t.yaml:2: unexpected {{ end }}');
    expect(() => render('{{ .a')).toThrow('unclosed action');
  });

  it('passes a pipeline value as the last argument', () => {
    expect(render('{{ .v | default "d" | quote }}', { v: '' })).toBe('"d"');
    expect(render('{{ "abcdef" | trunc 3 | printf "%s-%d" (print 1.5) }}')).toBe(
      '1.5-%!d(string=abc)',
    );
  });
});

describe('helm functions', () => {
  it('toYaml sorts keys and drops the final newline; nindent and indent pad every line', () => {
    expect(render('x:{{ toYaml .m | nindent 2 }}', { m: { b: [1, 'two'], a: { c: null } } })).toBe(
      'x:\n  a:\n    c: null\n  b:\n    - 1\n    - two',
    );
    expect(render('{{ "a\\nb" | indent 1 }}')).toBe(' a\n b');
  });

  it('demands the Go parameter types: an int for nindent, a string for b64enc', () => {
    expect(() => render('{{ toYaml .m | nindent .n }}', { m: { a: 1 }, n: 2 })).toThrow(
      'wrong type for value; expected int; got float64',
    );
    expect(() => render('{{ b64enc .n }}', { n: 1 })).toThrow('expected string; got float64');
    expect(render('{{ .n | toString | b64enc }}', { n: 1 })).toBe('MQ==');
  });

  it('formats numbers as fmt does: 8080, 0.1, 1e+06', () => {
    expect(
      render('{{ .a }} {{ .b }} {{ .c }} {{ int .c }}', { a: 8080, b: 0.1, c: 1_000_000 }),
    ).toBe('8080 0.1 1e+06 1000000');
    expect(formatFloat(1.5e-7)).toBe('1.5e-07');
  });

  it('implements default, empty, trunc, trimSuffix, contains, replace, has, dict, sha256sum', () => {
    expect(render('{{ default "d" .x }}|{{ default "d" "v" }}|{{ empty .x }}', { x: 0 })).toBe(
      'd|v|true',
    );
    expect(render('{{ "abc-" | trunc 63 | trimSuffix "-" }}{{ contains "b" "abc" }}')).toBe(
      'abctrue',
    );
    expect(render('{{ "a+b" | replace "+" "_" }} {{ has "x" (list "y" "x") }}')).toBe('a_b true');
    expect(render('{{ (dict "k" "v").k }} {{ "" | sha256sum | trunc 8 }}')).toBe('v e3b0c442');
  });
});
