/**
 * Executes templates parsed by parseGoTemplate with Go's text/template semantics: scoped
 * variables, `$` as the data passed in, short-circuit `and`/`or`, missing map keys as nil
 * (Helm's missingkey=zero), fields of nil as errors, and the builtin comparison, len, index,
 * print and printf functions. Other functions (Sprig's, Helm's) are passed in.
 */
import {
  goEq,
  goLt,
  goSprint,
  goSprintf,
  goType,
  isGoMap,
  isNil,
  isTrue,
  printValue,
} from './go-value.js';
import {
  parseGoTemplate,
  type Operand,
  type Pipeline,
  type TemplateNode,
} from './parse-go-template.js';

export type GoFunction = (...args: unknown[]) => unknown;

export class GoTemplateExecError extends Error {
  override readonly name = 'GoTemplateExecError';
}

/** Thrown by a function to stop rendering with the user's message (Helm's `fail`). */
export class GoTemplateFailError extends Error {
  override readonly name = 'GoTemplateFailError';
}

type BlockNode = Extract<TemplateNode, { body: unknown }>;

interface Variable {
  readonly name: string;
  value: unknown;
}
interface Frame {
  readonly file: string;
  readonly vars: Variable[];
}

const MAX_DEPTH = 100;

function goLen(value: unknown): bigint {
  if (typeof value === 'string') return BigInt(Buffer.byteLength(value));
  if (Array.isArray(value)) return BigInt(value.length);
  if (isGoMap(value)) return BigInt(Object.keys(value).length);
  throw new Error(`len of type ${goType(value)}`);
}

function goIndex(value: unknown, ...keys: unknown[]): unknown {
  let node = value;
  for (const key of keys) {
    if (isNil(node)) throw new Error('index of untyped nil');
    if (Array.isArray(node) && typeof key === 'bigint') node = node[Number(key)];
    else if (isGoMap(node) && typeof key === 'string') node = node[key];
    else throw new Error(`can't index item of type ${goType(node)}`);
  }
  return node;
}

const BUILTINS: Record<string, GoFunction> = {
  not: (value) => !isTrue(value),
  eq: (first, ...others) => goEq(first, ...others),
  ne: (a, b) => !goEq(a, b),
  lt: (a, b) => goLt(a, b),
  le: (a, b) => goLt(a, b) || goEq(a, b),
  gt: (a, b) => !(goLt(a, b) || goEq(a, b)),
  ge: (a, b) => !goLt(a, b),
  len: goLen,
  index: goIndex,
  print: (...args) => goSprint(args),
  printf: (format, ...args) => {
    if (typeof format !== 'string')
      throw new Error(`wrong type for value; expected string; got ${goType(format)}`);
    return goSprintf(format, args);
  },
};

export class GoTemplateSet {
  private readonly templates = new Map<string, { nodes: readonly TemplateNode[]; file: string }>();
  private readonly functions: Record<string, GoFunction>;
  private readonly names: ReadonlySet<string>;
  private depth = 0;

  constructor(functions: Record<string, GoFunction>) {
    this.functions = { ...BUILTINS, ...functions };
    this.names = new Set([...Object.keys(this.functions), 'and', 'or']);
  }

  /** Parses `source` as the template `name`; its `define`s become templates of the set too. */
  add(name: string, source: string): void {
    const parsed = parseGoTemplate(source, this.names, name);
    this.templates.set(name, { nodes: parsed.nodes, file: name });
    for (const [define, nodes] of parsed.defines) this.templates.set(define, { nodes, file: name });
  }

  /** Runs the named template (a file or a define) with `data` as `.` and `$`. */
  execute(name: string, data: unknown): string {
    const template = this.templates.get(name);
    if (template === undefined) throw new GoTemplateExecError(`no template "${name}"`);
    if (this.depth >= MAX_DEPTH) {
      throw new GoTemplateExecError(`template "${name}": nested too deeply (${MAX_DEPTH})`);
    }
    const out: string[] = [];
    this.depth += 1;
    try {
      this.run(
        template.nodes,
        data,
        { file: template.file, vars: [{ name: '$', value: data }] },
        out,
      );
    } finally {
      this.depth -= 1;
    }
    return out.join('');
  }

  private run(nodes: readonly TemplateNode[], dot: unknown, frame: Frame, out: string[]): void {
    for (const node of nodes) {
      const mark = frame.vars.length;
      switch (node.kind) {
        case 'text':
          out.push(node.text);
          break;
        case 'output': {
          const value = this.pipeline(node.pipe, dot, frame, node.line, true);
          if (node.pipe.variables.length === 0) out.push(printValue(value, true));
          continue; // its variables stay in scope
        }
        case 'if':
        case 'with': {
          const value = this.pipeline(node.pipe, dot, frame, node.line, true);
          if (isTrue(value)) this.run(node.body, node.kind === 'with' ? value : dot, frame, out);
          else this.run(node.otherwise, dot, frame, out);
          break;
        }
        case 'range':
          this.range(node, dot, frame, out);
          break;
        case 'template': {
          const data = node.pipe && this.pipeline(node.pipe, dot, frame, node.line, true);
          out.push(this.execute(node.name, data));
          break;
        }
      }
      frame.vars.length = mark;
    }
  }

  private range(node: BlockNode, dot: unknown, frame: Frame, out: string[]): void {
    const value = this.pipeline(node.pipe, dot, frame, node.line, false);
    const [first, second] = node.pipe.variables;
    const iterate = (key: unknown, element: unknown): void => {
      const mark = frame.vars.length;
      if (second !== undefined)
        frame.vars.push({ name: first!, value: key }, { name: second, value: element });
      else if (first !== undefined) frame.vars.push({ name: first, value: element });
      this.run(node.body, element, frame, out);
      frame.vars.length = mark;
    };
    let count = 0;
    if (Array.isArray(value)) {
      value.forEach((element, i) => iterate(BigInt(i), element));
      count = value.length;
    } else if (isGoMap(value)) {
      const keys = Object.keys(value).sort();
      for (const key of keys) iterate(key, value[key]);
      count = keys.length;
    } else if (!isNil(value)) {
      throw this.error(frame, node.line, `range can't iterate over ${printValue(value)}`);
    }
    if (count === 0) this.run(node.otherwise, dot, frame, out);
  }

  private pipeline(
    pipe: Pipeline,
    dot: unknown,
    frame: Frame,
    line: number,
    declare: boolean,
  ): unknown {
    let value: unknown;
    pipe.commands.forEach((command, i) => {
      value = this.command(command, dot, frame, line, i === 0 ? undefined : { value });
    });
    if (!declare) return value;
    for (const name of pipe.variables) {
      if (!pipe.assign) {
        frame.vars.push({ name, value });
        continue;
      }
      const variable = frame.vars.findLast((v) => v.name === name);
      if (variable === undefined) throw this.error(frame, line, `undefined variable: ${name}`);
      variable.value = value;
    }
    return value;
  }

  private command(
    command: readonly Operand[],
    dot: unknown,
    frame: Frame,
    line: number,
    piped: { value: unknown } | undefined,
  ): unknown {
    const [head, ...args] = command as [Operand, ...Operand[]];
    if (head.kind !== 'function') {
      if (args.length > 0 || piped !== undefined) {
        throw this.error(frame, line, `can't give argument to non-function ${describe(head)}`);
      }
      return this.operand(head, dot, frame, line);
    }
    const thunks = args.map((arg) => () => this.operand(arg, dot, frame, line));
    if (piped !== undefined) thunks.push(() => piped.value);
    if (head.name === 'and' || head.name === 'or') {
      if (thunks.length === 0) throw this.error(frame, line, `${head.name}: no arguments`);
      let value: unknown;
      for (const thunk of thunks) {
        value = thunk();
        if (isTrue(value) === (head.name === 'or')) return value;
      }
      return value;
    }
    return this.call(
      head.name,
      thunks.map((thunk) => thunk()),
      frame,
      line,
    );
  }

  private call(name: string, args: unknown[], frame: Frame, line: number): unknown {
    try {
      return this.functions[name]!(...args);
    } catch (err) {
      if (err instanceof GoTemplateExecError) throw err;
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof GoTemplateFailError) {
        throw new GoTemplateExecError(`execution error at (${frame.file}:${line}): ${message}`);
      }
      throw this.error(frame, line, `error calling ${name}: ${message}`);
    }
  }

  private operand(operand: Operand, dot: unknown, frame: Frame, line: number): unknown {
    switch (operand.kind) {
      case 'dot':
        return this.fields(dot, operand.fields, frame, line);
      case 'variable': {
        const variable = frame.vars.findLast((v) => v.name === operand.name);
        if (variable === undefined)
          throw this.error(frame, line, `undefined variable: ${operand.name}`);
        return this.fields(variable.value, operand.fields, frame, line);
      }
      case 'function':
        return this.command([operand], dot, frame, line, undefined);
      case 'literal':
        return operand.value;
      case 'pipe': {
        const value = this.pipeline(operand.pipe, dot, frame, line, true);
        return this.fields(value, operand.fields, frame, line);
      }
    }
  }

  private fields(value: unknown, names: readonly string[], frame: Frame, line: number): unknown {
    let node = value;
    for (const name of names) {
      if (isNil(node)) throw this.error(frame, line, `nil pointer evaluating interface {}.${name}`);
      if (!isGoMap(node)) {
        throw this.error(frame, line, `can't evaluate field ${name} in type ${goType(node)}`);
      }
      node = Object.hasOwn(node, name) ? node[name] : undefined;
    }
    return node;
  }

  private error(frame: Frame, line: number, message: string): GoTemplateExecError {
    return new GoTemplateExecError(`template: ${frame.file}:${line}: ${message}`);
  }
}

function describe(operand: Operand): string {
  switch (operand.kind) {
    case 'dot':
      return ['', ...operand.fields].join('.') || '.';
    case 'variable':
      return [operand.name, ...operand.fields].join('.');
    case 'literal':
      return printValue(operand.value);
    default:
      return `(${operand.kind})`;
  }
}
