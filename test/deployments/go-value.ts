/**
 * Go's view of template data, as Helm hands it over: numbers read from YAML values are float64
 * (JS number), integer literals and `int` results are int (JS bigint), and the comparison
 * functions refuse to compare the two, as Go's do ("incompatible types for comparison").
 */
export type GoMap = Record<string, unknown>;

export function isGoMap(value: unknown): value is GoMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isNil(value: unknown): value is null | undefined {
  return value === null || value === undefined;
}

/** The Go type name used in error messages. */
export function goType(value: unknown): string {
  if (isNil(value)) return '<nil>';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return 'float64';
  if (typeof value === 'bigint') return 'int';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return '[]interface {}';
  return 'map[string]interface {}';
}

/** text/template's truth: false, 0, nil and empty strings, lists and maps are false. */
export function isTrue(value: unknown): boolean {
  if (isNil(value)) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return value !== '';
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'bigint') return value !== 0n;
  if (Array.isArray(value)) return value.length > 0;
  return Object.keys(value).length > 0;
}

/** strconv.FormatFloat(f, 'g', -1, 64), which is how fmt prints a float64 (8080, 1e+06). */
export function formatFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const [mantissa, exponentText] = value.toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) {
    const digits = String(Math.abs(exponent)).padStart(2, '0');
    return `${mantissa}e${exponent < 0 ? '-' : '+'}${digits}`;
  }
  return String(value);
}

/** fmt's %v. `top` marks a value printed by an action, where a missing one is `<no value>`. */
export function printValue(value: unknown, top = false): string {
  if (isNil(value)) return top ? '<no value>' : '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatFloat(value);
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map((item) => printValue(item)).join(' ')}]`;
  const entries = Object.keys(value as GoMap)
    .sort()
    .map((key) => `${key}:${printValue((value as GoMap)[key])}`);
  return `map[${entries.join(' ')}]`;
}

type BasicKind = 'bool' | 'int' | 'float' | 'string' | 'nil' | 'other';

function basicKind(value: unknown): BasicKind {
  if (isNil(value)) return 'nil';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'bigint') return 'int';
  if (typeof value === 'number') return 'float';
  if (typeof value === 'string') return 'string';
  return 'other';
}

export class GoComparisonError extends Error {
  override readonly name = 'GoComparisonError';
}

/** `eq a b c...`: a equals any of the others. */
export function goEq(first: unknown, ...others: unknown[]): boolean {
  if (others.length === 0) throw new GoComparisonError('missing argument for comparison');
  const kind = basicKind(first);
  return others.some((other) => {
    const otherKind = basicKind(other);
    if (kind !== otherKind) {
      if (kind !== 'nil' && otherKind !== 'nil') {
        throw new GoComparisonError('incompatible types for comparison');
      }
      return false;
    }
    if (kind === 'nil') return true;
    if (kind === 'other') throw new GoComparisonError(`non-comparable type ${goType(first)}`);
    return first === other;
  });
}

/** `lt a b`: only numbers of one kind, or strings. */
export function goLt(a: unknown, b: unknown): boolean {
  const kind = basicKind(a);
  if (kind === 'bool' || kind === 'nil' || kind === 'other') {
    throw new GoComparisonError('invalid type for comparison');
  }
  if (kind !== basicKind(b)) throw new GoComparisonError('incompatible types for comparison');
  return (a as string | number | bigint) < (b as string | number | bigint);
}

/** fmt.Sprint: operands printed with %v, a space between two that are not strings. */
export function goSprint(args: readonly unknown[]): string {
  return args
    .map((arg, i) => {
      const spaced = i > 0 && typeof arg !== 'string' && typeof args[i - 1] !== 'string';
      return (spaced ? ' ' : '') + printValue(arg);
    })
    .join('');
}

const wrongVerb = (verb: string, arg: unknown): string =>
  `%!${verb}(${goType(arg)}=${printValue(arg)})`;

/** fmt.Sprintf for the verbs charts use: %s %d %v %q %t %%. */
export function goSprintf(format: string, args: readonly unknown[]): string {
  let next = 0;
  const text = format.replace(/%(.)/g, (_all, verb: string) => {
    if (verb === '%') return '%';
    if (next >= args.length) return `%!${verb}(MISSING)`;
    const arg = args[next++];
    switch (verb) {
      case 'v':
        return printValue(arg);
      case 's':
        return typeof arg === 'string' ? arg : wrongVerb(verb, arg);
      case 'q':
        return typeof arg === 'string' ? JSON.stringify(arg) : wrongVerb(verb, arg);
      case 'd':
        return typeof arg === 'bigint' ? String(arg) : wrongVerb(verb, arg);
      case 't':
        return typeof arg === 'boolean' ? String(arg) : wrongVerb(verb, arg);
      default:
        throw new Error(`printf verb %${verb} is not supported by this renderer`);
    }
  });
  const extra = args.slice(next).map((arg) => `${goType(arg)}=${printValue(arg)}`);
  return extra.length === 0 ? text : `${text}%!(EXTRA ${extra.join(', ')})`;
}
