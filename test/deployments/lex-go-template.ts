/**
 * The lexer for parse-go-template.ts: splits a template into text and the tokens of each action,
 * applying `{{-`/`-}}` trim markers and dropping comments.
 */
export type GoLiteral = string | number | bigint | boolean | null;

export type TokenType =
  | 'string'
  | 'number'
  | 'bool'
  | 'nil'
  | 'variable'
  | 'field'
  | 'dot'
  | 'ident'
  | 'declare'
  | 'assign'
  | 'pipe'
  | 'open'
  | 'close'
  | 'comma';

export interface Token {
  readonly type: TokenType;
  readonly text: string;
  readonly value?: GoLiteral;
  /** Whitespace stood before it (`.a .b` is two operands, `.a.b` one). */
  readonly spaced: boolean;
}

export type Chunk =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'action'; readonly tokens: readonly Token[]; readonly line: number };

const SPACE = /[ \t\r\n]/;
const NUMBER = /^[+-]?(?:0[xX][0-9a-fA-F_]+|\d[\d_]*(?:\.\d*)?(?:[eE][+-]?\d+)?)/;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*/;

const linesIn = (text: string): number => text.split('\n').length - 1;

function numberToken(text: string, spaced: boolean): Token {
  const clean = text.replace(/_/g, '');
  const isFloat = !/^[+-]?0[xX]/.test(clean) && /[.eE]/.test(clean);
  return { type: 'number', text, value: isFloat ? Number(clean) : BigInt(clean), spaced };
}

/** The tokens of the action starting at `start` (just after `{{` and a trim marker). */
function lexAction(
  source: string,
  start: number,
  fail: (message: string) => never,
): { tokens: Token[]; end: number; trimRight: boolean } {
  const tokens: Token[] = [];
  let i = start;
  let spaced = true;
  const push = (type: TokenType, text: string, value?: GoLiteral): void => {
    tokens.push(value === undefined ? { type, text, spaced } : { type, text, value, spaced });
    i += text.length;
    spaced = false;
  };
  for (;;) {
    if (i >= source.length) fail('unclosed action');
    const ch = source[i]!;
    const rest = source.slice(i);
    if (SPACE.test(ch)) {
      i += 1;
      spaced = true;
    } else if (spaced && rest.startsWith('-}}')) {
      return { tokens, end: i + 3, trimRight: true };
    } else if (rest.startsWith('}}')) {
      return { tokens, end: i + 2, trimRight: false };
    } else if (ch === '"') {
      const match = /^"(?:[^"\\\n]|\\.)*"/.exec(rest) ?? fail('unterminated quoted string');
      push('string', match[0], JSON.parse(match[0]) as string);
    } else if (ch === '`') {
      const close = source.indexOf('`', i + 1);
      if (close === -1) fail('unterminated raw quoted string');
      push('string', source.slice(i, close + 1), source.slice(i + 1, close));
    } else if (NUMBER.test(rest) && (/\d/.test(ch) || /^[+-]\d/.test(rest))) {
      tokens.push(numberToken(NUMBER.exec(rest)![0], spaced));
      i += tokens.at(-1)!.text.length;
      spaced = false;
    } else if (ch === '$') {
      push('variable', /^\$[A-Za-z0-9_]*/.exec(rest)![0]);
    } else if (ch === '.') {
      const field = /^\.[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
      if (field === null) push('dot', '.');
      else push('field', field[0]);
    } else if (IDENT.test(rest)) {
      const word = IDENT.exec(rest)![0];
      if (word === 'true' || word === 'false') push('bool', word, word === 'true');
      else if (word === 'nil') push('nil', word, null);
      else push('ident', word);
    } else if (rest.startsWith(':=')) {
      push('declare', ':=');
    } else {
      const single: Record<string, TokenType> = {
        '=': 'assign',
        '|': 'pipe',
        '(': 'open',
        ')': 'close',
        ',': 'comma',
      };
      const type = single[ch] ?? fail(`unexpected ${JSON.stringify(ch)} in action`);
      push(type, ch);
    }
  }
}

/** Text and actions, with trim markers applied and comments removed. */
export function lexGoTemplate(
  source: string,
  fail: (line: number, message: string) => never,
): Chunk[] {
  const chunks: Chunk[] = [];
  let pos = 0;
  let line = 1;
  let trimNext = false;
  for (;;) {
    const open = source.indexOf('{{', pos);
    let text = source.slice(pos, open === -1 ? undefined : open);
    if (trimNext) text = text.replace(/^[ \t\r\n]+/, '');
    if (open === -1) {
      if (text !== '') chunks.push({ kind: 'text', text });
      return chunks;
    }
    line += linesIn(source.slice(pos, open));
    let i = open + 2;
    if (source[i] === '-' && SPACE.test(source[i + 1] ?? '')) {
      text = text.replace(/[ \t\r\n]+$/, '');
      i += 1;
    }
    if (text !== '') chunks.push({ kind: 'text', text });
    const afterSpace = i + (/^[ \t\r\n]*/.exec(source.slice(i))?.[0].length ?? 0);
    if (source.startsWith('/*', afterSpace)) {
      const close = /\*\/([ \t\r\n]+-)?\}\}/g;
      close.lastIndex = afterSpace + 2;
      const match = close.exec(source) ?? fail(line, 'unclosed comment');
      trimNext = match[1] !== undefined;
      pos = match.index + match[0].length;
    } else {
      const lexed = lexAction(source, i, (message) => fail(line, message));
      chunks.push({ kind: 'action', tokens: lexed.tokens, line });
      trimNext = lexed.trimRight;
      pos = lexed.end;
    }
    line += linesIn(source.slice(open, pos));
  }
}
