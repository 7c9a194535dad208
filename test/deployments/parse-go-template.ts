/**
 * A parser for the part of Go's text/template that Helm charts use: text, comments, `{{-`/`-}}`
 * trim markers, pipelines with parentheses, variables (`$x := ...`, `$x = ...`), fields,
 * literals, and the actions if/else if/else, range, with, define, template, end.
 * Unknown functions are errors at parse time, as in Go, so every branch is checked.
 */
import { type Chunk, type GoLiteral, lexGoTemplate, type Token } from './lex-go-template.js';

export type Operand =
  /** `.` or `.a.b` (fields from dot) */
  | { readonly kind: 'dot'; readonly fields: readonly string[] }
  /** `$`, `$x`, `$x.a` */
  | { readonly kind: 'variable'; readonly name: string; readonly fields: readonly string[] }
  | { readonly kind: 'function'; readonly name: string }
  | { readonly kind: 'literal'; readonly value: GoLiteral }
  /** `(pipeline)` or `(pipeline).a` */
  | { readonly kind: 'pipe'; readonly pipe: Pipeline; readonly fields: readonly string[] };

export interface Pipeline {
  /** Variables declared (`:=`) or assigned (`=`) by the pipeline. */
  readonly variables: readonly string[];
  readonly assign: boolean;
  /** Commands joined by `|`; each is a function and its arguments, or a single operand. */
  readonly commands: readonly (readonly Operand[])[];
}

export type TemplateNode =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'output'; readonly pipe: Pipeline; readonly line: number }
  | {
      readonly kind: 'if' | 'with' | 'range';
      readonly pipe: Pipeline;
      readonly body: readonly TemplateNode[];
      readonly otherwise: readonly TemplateNode[];
      readonly line: number;
    }
  | {
      readonly kind: 'template';
      readonly name: string;
      readonly pipe: Pipeline | undefined;
      readonly line: number;
    };

export interface ParsedTemplate {
  readonly nodes: readonly TemplateNode[];
  /** `{{ define "name" }}` bodies found in the source. */
  readonly defines: ReadonlyMap<string, readonly TemplateNode[]>;
}

export class GoTemplateSyntaxError extends Error {
  override readonly name = 'GoTemplateSyntaxError';
}

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block']);
const UNSUPPORTED = new Set(['block', 'break', 'continue']);

class Parser {
  private index = 0;
  /** Line of the last action read, for an `end` or `else` without a block. */
  line = 0;
  readonly defines = new Map<string, readonly TemplateNode[]>();

  constructor(
    private readonly chunks: readonly Chunk[],
    private readonly functions: ReadonlySet<string>,
    private readonly fail: (line: number, message: string) => never,
  ) {}

  /** Nodes up to an `end` or `else` (returned with what follows `else`) or the end of input. */
  parseList(): { nodes: TemplateNode[]; stop: 'end' | 'else' | 'eof'; rest: Token[] } {
    const nodes: TemplateNode[] = [];
    while (this.index < this.chunks.length) {
      const chunk = this.chunks[this.index++]!;
      if (chunk.kind === 'text') {
        nodes.push(chunk);
        continue;
      }
      const [first, ...rest] = chunk.tokens;
      const keyword = first?.type === 'ident' && KEYWORDS.has(first.text) ? first.text : '';
      if (first === undefined) this.fail(chunk.line, 'missing value for command');
      if (first.type === 'ident' && UNSUPPORTED.has(first.text)) {
        this.fail(chunk.line, `{{ ${first.text} }} is not supported`);
      }
      this.line = chunk.line;
      if (keyword === 'end') {
        if (rest.length > 0) this.fail(chunk.line, 'unexpected tokens after end');
        return { nodes, stop: 'end', rest: [] };
      }
      if (keyword === 'else') return { nodes, stop: 'else', rest };
      if (keyword === 'if' || keyword === 'with' || keyword === 'range') {
        nodes.push(this.parseBlock(keyword, rest, chunk.line));
      } else if (keyword === 'define') {
        const name = this.templateName(rest, chunk.line);
        const body = this.parseList();
        if (body.stop !== 'end') this.fail(chunk.line, `define "${name}" is never closed`);
        this.defines.set(name, body.nodes);
      } else if (keyword === 'template') {
        const name = this.templateName(rest, chunk.line);
        const pipe = rest.length > 1 ? this.pipeline(rest.slice(1), chunk.line) : undefined;
        nodes.push({ kind: 'template', name, pipe, line: chunk.line });
      } else {
        nodes.push({
          kind: 'output',
          pipe: this.pipeline(chunk.tokens, chunk.line),
          line: chunk.line,
        });
      }
    }
    return { nodes, stop: 'eof', rest: [] };
  }

  private parseBlock(kind: 'if' | 'with' | 'range', tokens: Token[], line: number): TemplateNode {
    const pipe = this.pipeline(tokens, line, kind === 'range');
    const body = this.parseList();
    let otherwise: TemplateNode[] = [];
    if (body.stop === 'eof') this.fail(line, `{{ ${kind} }} is never closed with {{ end }}`);
    if (body.stop === 'else') {
      const chained = body.rest[0];
      if (kind === 'if' && chained?.type === 'ident' && chained.text === 'if') {
        otherwise = [this.parseBlock('if', body.rest.slice(1), line)];
      } else {
        if (body.rest.length > 0) this.fail(line, 'unexpected tokens after else');
        const tail = this.parseList();
        if (tail.stop !== 'end') this.fail(line, `{{ ${kind} }} is never closed with {{ end }}`);
        otherwise = tail.nodes;
      }
    }
    return { kind, pipe, body: body.nodes, otherwise, line };
  }

  private templateName(tokens: Token[], line: number): string {
    const name = tokens[0];
    if (name?.type !== 'string') this.fail(line, 'template name must be a quoted string');
    return name.value as string;
  }

  private pipeline(tokens: readonly Token[], line: number, rangeDeclarations = false): Pipeline {
    const [pipe, end] = this.parsePipe(tokens, 0, line, rangeDeclarations);
    if (end !== tokens.length) this.fail(line, `unexpected ${tokens[end]!.text} in command`);
    return pipe;
  }

  /** A pipeline from `start` to a closing parenthesis or the end; returns where it stopped. */
  private parsePipe(
    tokens: readonly Token[],
    start: number,
    line: number,
    rangeDeclarations = false,
  ): [Pipeline, number] {
    let i = start;
    const variables: string[] = [];
    let assign = false;
    const declaration = (at: number): boolean =>
      tokens[at]?.type === 'variable' &&
      (tokens[at + 1]?.type === 'declare' || tokens[at + 1]?.type === 'assign');
    if (declaration(i)) {
      variables.push(tokens[i]!.text);
      assign = tokens[i + 1]!.type === 'assign';
      i += 2;
    } else if (
      rangeDeclarations &&
      tokens[i]?.type === 'variable' &&
      tokens[i + 1]?.type === 'comma' &&
      tokens[i + 2]?.type === 'variable' &&
      tokens[i + 3]?.type === 'declare'
    ) {
      variables.push(tokens[i]!.text, tokens[i + 2]!.text);
      i += 4;
    }
    const commands: Operand[][] = [[]];
    while (i < tokens.length && tokens[i]!.type !== 'close') {
      if (tokens[i]!.type === 'pipe') {
        if (commands.at(-1)!.length === 0) this.fail(line, 'missing command before |');
        commands.push([]);
        i += 1;
        continue;
      }
      const [operand, next] = this.parseOperand(tokens, i, line);
      commands.at(-1)!.push(operand);
      i = next;
    }
    if (commands.at(-1)!.length === 0) this.fail(line, 'missing value for command');
    return [{ variables, assign, commands }, i];
  }

  private parseOperand(tokens: readonly Token[], start: number, line: number): [Operand, number] {
    const token = tokens[start]!;
    let i = start + 1;
    const fields = (): string[] => {
      const names: string[] = [];
      while (tokens[i]?.type === 'field' && !tokens[i]!.spaced)
        names.push(tokens[i++]!.text.slice(1));
      return names;
    };
    switch (token.type) {
      case 'dot':
        return [{ kind: 'dot', fields: fields() }, i];
      case 'field': {
        const names = [token.text.slice(1), ...fields()];
        return [{ kind: 'dot', fields: names }, i];
      }
      case 'variable':
        return [{ kind: 'variable', name: token.text, fields: fields() }, i];
      case 'ident':
        if (KEYWORDS.has(token.text)) this.fail(line, `unexpected ${token.text} in command`);
        if (!this.functions.has(token.text))
          this.fail(line, `function "${token.text}" not defined`);
        return [{ kind: 'function', name: token.text }, i];
      case 'string':
      case 'number':
      case 'bool':
      case 'nil':
        return [{ kind: 'literal', value: token.value ?? null }, i];
      case 'open': {
        const [pipe, close] = this.parsePipe(tokens, i, line);
        if (tokens[close]?.type !== 'close') this.fail(line, 'unclosed left paren');
        i = close + 1;
        return [{ kind: 'pipe', pipe, fields: fields() }, i];
      }
      default:
        return this.fail(line, `unexpected ${token.text} in operand`);
    }
  }
}

/** Parses one template file; `name` only labels error messages. */
export function parseGoTemplate(
  source: string,
  functions: ReadonlySet<string>,
  name: string,
): ParsedTemplate {
  const fail = (line: number, message: string): never => {
    throw new GoTemplateSyntaxError(`template: ${name}:${line}: ${message}`);
  };
  const parser = new Parser(lexGoTemplate(source, fail), functions, fail);
  const list = parser.parseList();
  if (list.stop !== 'eof') fail(parser.line, `unexpected {{ ${list.stop} }}`);
  return { nodes: list.nodes, defines: parser.defines };
}
