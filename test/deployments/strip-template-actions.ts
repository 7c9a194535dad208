import yaml from 'js-yaml';

/**
 * Helm templates without Helm: turns a Go-templated manifest into plain YAML that keeps the
 * template's structure, so it can be parsed and inspected.
 *
 * - `{{/* comments *\/}}` vanish.
 * - Control actions (if, range, with, else, end) must stand alone on their line; the line goes.
 *   The first branch of an if/else is kept and the other branches dropped, so alternatives
 *   cannot collide as duplicate keys; range and with bodies are kept once.
 * - An output action alone on its line inserts a block of its own. `{{- toYaml .Values.x |
 *   nindent N }}` is rendered from `values` when given and x is not empty (an empty one is what
 *   the usual `{{- if .Values.x }}` guard leaves out); any other such line goes.
 * - Any other output action becomes the scalar `placeholder`.
 */
export const PLACEHOLDER = 'placeholder';

const COMMENT = /\{\{-?\s*\/\*[\s\S]*?\*\/\s*-?\}\}/g;
const ACTION = /\{\{-?([\s\S]*?)-?\}\}/g;
const OPENERS = new Set(['if', 'range', 'with', 'define', 'block']);
const CONTROLS = new Set([...OPENERS, 'else', 'end']);

export class TemplateStructureError extends Error {
  override readonly name = 'TemplateStructureError';
}

function keywordOf(body: string): string {
  return body.trim().split(/\s+/)[0] ?? '';
}

const TO_YAML = /^\s*toYaml\s+\$?\.Values\.([\w.]+)\s*\|\s*n?indent\s+(\d+)\s*$/;

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value).length === 0;
}

/** The lines `toYaml .Values.<path> | nindent N` renders, or [] when there is nothing to render. */
function renderToYaml(body: string, values: unknown): string[] {
  const match = TO_YAML.exec(body);
  if (match === null || values === undefined) return [];
  let node: unknown = values;
  for (const key of match[1]!.split('.')) {
    node =
      typeof node === 'object' && node !== null
        ? (node as Record<string, unknown>)[key]
        : undefined;
  }
  if (isEmpty(node)) return [];
  const indent = ' '.repeat(Number(match[2]));
  return yaml
    .dump(node, { lineWidth: -1 })
    .trimEnd()
    .split('\n')
    .map((line) => indent + line);
}

export function stripTemplateActions(template: string, values?: unknown): string {
  const lines = template.replace(COMMENT, '').split('\n');
  const out: string[] = [];
  /** One frame per open control block; `skipping` once an else branch starts. */
  const stack: { skipping: boolean; line: number }[] = [];

  lines.forEach((line, index) => {
    const lineNo = index + 1;
    if ((line.match(/\{\{/g) ?? []).length !== (line.match(/\}\}/g) ?? []).length) {
      throw new TemplateStructureError(`line ${lineNo}: a template action spans lines`);
    }
    const actions = [...line.matchAll(ACTION)].map((match) => match[1] ?? '');
    const controls = actions.filter((body) => CONTROLS.has(keywordOf(body)));
    const text = line.replace(ACTION, '').trim();

    if (controls.length > 0) {
      if (actions.length !== 1 || text !== '') {
        throw new TemplateStructureError(
          `line ${lineNo}: a control action must stand alone on its line: ${line.trim()}`,
        );
      }
      const keyword = keywordOf(controls[0]!);
      if (OPENERS.has(keyword)) {
        stack.push({ skipping: false, line: lineNo });
      } else {
        const top = stack.at(-1);
        if (top === undefined) {
          throw new TemplateStructureError(
            `line ${lineNo}: {{ ${keyword} }} without an open block`,
          );
        }
        if (keyword === 'else') top.skipping = true;
        else stack.pop();
      }
      return;
    }
    if (stack.some((frame) => frame.skipping)) return;
    if (actions.length > 0 && text === '') {
      if (actions.length === 1) out.push(...renderToYaml(actions[0]!, values));
      return;
    }
    out.push(line.replace(ACTION, PLACEHOLDER));
  });

  const open = stack.at(-1);
  if (open !== undefined) {
    throw new TemplateStructureError(`line ${open.line}: block is never closed with {{ end }}`);
  }
  return out.join('\n');
}

/** Every `.Values.a.b.c` path used inside a template action, as `a.b.c`, deduplicated. */
export function valuesReferences(template: string): string[] {
  const paths = new Set<string>();
  for (const action of template.matchAll(ACTION)) {
    for (const ref of (action[1] ?? '').matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
      paths.add(ref[1]!.slice(1));
    }
  }
  return [...paths].sort();
}

/** True when every segment of `path` is a key of a mapping in `values`. */
export function hasValuesPath(values: unknown, path: string): boolean {
  let node: unknown = values;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return false;
    if (!Object.prototype.hasOwnProperty.call(node, key)) return false;
    node = (node as Record<string, unknown>)[key];
  }
  return true;
}
