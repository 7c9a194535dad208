/**
 * Just enough Markdown and shell parsing to check the user documentation: fenced code blocks,
 * inline code spans, links, heading anchors (GitHub's rules), and the simple commands of a shell
 * snippet (quotes, `$(...)`, `&&`, `;`, `|` and line continuations understood).
 */

export interface CodeBlock {
  /** The info string's first word, lower-cased (`sh`, `yaml`, `` for none). */
  readonly lang: string;
  /** The block's lines, with the fence's indentation removed. */
  readonly text: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
}

export interface InlineSpan {
  readonly text: string;
  readonly line: number;
}

export interface MarkdownLink {
  readonly target: string;
  readonly line: number;
}

export interface ParsedMarkdown {
  readonly blocks: readonly CodeBlock[];
  readonly spans: readonly InlineSpan[];
  readonly links: readonly MarkdownLink[];
  readonly anchors: ReadonlySet<string>;
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/;

export function parseMarkdown(markdown: string): ParsedMarkdown {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  const spans: InlineSpan[] = [];
  const links: MarkdownLink[] = [];
  const slugCounts = new Map<string, number>();
  const anchors = new Set<string>();
  /** The document with every fenced block's lines emptied, so offsets still map to lines. */
  const prose: string[] = lines.map(() => '');
  let open: { indent: number; fence: string; lang: string; line: number; body: string[] } | null =
    null;

  lines.forEach((line, index) => {
    const lineNo = index + 1;
    if (open !== null) {
      const close = FENCE.exec(line);
      if (close?.[2]?.startsWith(open.fence) === true && close[3] === '') {
        blocks.push({ lang: open.lang, text: open.body.join('\n'), line: open.line });
        open = null;
      } else {
        open.body.push(line.slice(Math.min(open.indent, line.length - line.trimStart().length)));
      }
      return;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      open = {
        indent: fence[1]?.length ?? 0,
        fence: fence[2] ?? '```',
        lang: (fence[3] ?? '').toLowerCase(),
        line: lineNo,
        body: [],
      };
      return;
    }
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading?.[1] !== undefined) {
      const base = slugOf(heading[1]);
      const seen = slugCounts.get(base) ?? 0;
      slugCounts.set(base, seen + 1);
      anchors.add(seen === 0 ? base : `${base}-${seen}`);
    }
    prose[index] = line;
  });
  // Code spans may continue on the next line (not across a blank line); links are found in the
  // text that is left once the spans are blanked out.
  const text = prose.join('\n');
  const lineAt = (offset: number): number => text.slice(0, offset).split('\n').length;
  const blanked = text.replace(
    /`((?:[^`\n]|\n(?![ \t]*\n))+)`/g,
    (span, inner: string, offset: number) => {
      spans.push({ text: inner.replace(/\s*\n\s*/g, ' '), line: lineAt(offset) });
      return span.replace(/[^\n]/g, ' ');
    },
  );
  for (const match of blanked.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    if (match[1] !== undefined) links.push({ target: match[1], line: lineAt(match.index) });
  }
  return { blocks, spans, links, anchors };
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
export function slugOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

const SHELL_LANGS = new Set(['', 'sh', 'bash', 'shell', 'zsh', 'console']);

/** Whether a fenced block holds shell commands (a `console` block: only its `$ ` lines). */
export function isShellBlock(block: CodeBlock): boolean {
  return SHELL_LANGS.has(block.lang);
}

export function shellTextOf(block: CodeBlock): string {
  if (block.lang !== 'console') return block.text;
  return block.text
    .split('\n')
    .map((line) => (line.startsWith('$ ') ? line.slice(2) : ''))
    .join('\n');
}

/**
 * The simple commands of a shell snippet, each as its words with quotes removed. Command
 * substitutions become the word `$(...)` and their inner commands are listed too. Comments,
 * line continuations, `&&`, `||`, `;`, `|`, `&` and subshell parentheses are understood.
 */
export function shellCommands(source: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  const text = source.replace(/\\\r?\n/g, ' ');

  const endWord = (): void => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  const endCommand = (): void => {
    endWord();
    if (words.length > 0) commands.push(words);
    words = [];
  };
  /** Index just after the `)` closing a `$(` that starts at `start` (the index after `$(`). */
  const closingParen = (start: number): number => {
    let depth = 1;
    let quote: string | null = null;
    for (let i = start; i < text.length; i++) {
      const c = text.charAt(i);
      if (quote !== null) {
        if (c === quote) quote = null;
        else if (c === '\\' && quote === '"') i++;
        continue;
      }
      if (c === "'" || c === '"') quote = c;
      else if (c === '(') depth++;
      else if (c === ')' && --depth === 0) return i + 1;
    }
    return text.length;
  };
  const substitution = (i: number): number => {
    const end = closingParen(i + 2);
    commands.push(...shellCommands(text.slice(i + 2, end - 1)));
    word += '$(...)';
    inWord = true;
    return end;
  };

  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    const next = text.charAt(i + 1);
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      const stop = end === -1 ? text.length : end;
      word += text.slice(i + 1, stop);
      inWord = true;
      i = stop + 1;
    } else if (c === '"') {
      inWord = true;
      i++;
      while (i < text.length && text.charAt(i) !== '"') {
        if (text.charAt(i) === '\\' && i + 1 < text.length) {
          word += text.charAt(i + 1);
          i += 2;
        } else if (text.startsWith('$(', i)) {
          i = substitution(i);
        } else {
          word += text.charAt(i);
          i++;
        }
      }
      i++;
    } else if (c === '$' && next === '(') {
      i = substitution(i);
    } else if (c === '#' && !inWord) {
      while (i < text.length && text.charAt(i) !== '\n') i++;
    } else if (c === '\n' || c === ';' || c === '(' || c === ')') {
      endCommand();
      i++;
    } else if (c === '|' || (c === '&' && !/[<>]$/.test(word) && next !== '>')) {
      endCommand();
      i += next === c ? 2 : 1;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      endWord();
      i++;
    } else if (c === '\\' && i + 1 < text.length) {
      word += next;
      inWord = true;
      i += 2;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  endCommand();
  return commands;
}

/** Words that may precede the program of a simple command without being it. */
const PREFIXES = new Set(['do', 'then', 'else', 'sudo', 'exec', 'time', 'nohup', 'command', '!']);

/** The command's words from its program on: assignments and prefixes like `sudo` removed. */
export function programWords(command: readonly string[]): string[] {
  let start = 0;
  while (
    start < command.length &&
    (PREFIXES.has(command[start] ?? '') || /^[A-Za-z_][A-Za-z0-9_]*=/.test(command[start] ?? ''))
  ) {
    start++;
  }
  return command.slice(start);
}
