/**
 * Checks of the user documentation against the code: every `reposentry` command line, `npm run`
 * script, relative link, configuration key, configuration snippet and metric name a document
 * mentions must exist. Each check returns problems as `file:line: what is wrong`.
 */
import { DISCOVERY_KEY_NAMES } from '../../src/config/discovery-keys.js';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import yaml from 'js-yaml';
import type { CliCommand } from '../../src/cli/cli-command.js';
import { isConfigError } from '../../src/config/config-error.js';
import { loadConfigFromObject } from '../../src/config/load-config.js';
import { REPOSITORY_KEY_NAMES } from '../../src/config/repository-keys.js';
import { configSchema } from '../../src/config/schema.js';
import { schemaLeaves } from '../../src/config/schema-leaves.js';
import { EVENT_TYPES } from '../../src/events/change-event.js';
import { DELIVERY_STATUSES } from '../../src/storage/storage-types.js';
import {
  isShellBlock,
  programWords,
  shellCommands,
  shellTextOf,
  type ParsedMarkdown,
} from './markdown.js';

export interface DocContext {
  /** Path of the document, relative to the repository root (used in problem messages). */
  readonly file: string;
  readonly parsed: ParsedMarkdown;
}

// ---------------------------------------------------------------------------------------------
// Command lines
// ---------------------------------------------------------------------------------------------

/** One place a document runs the CLI: the arguments after the program. */
export interface Invocation {
  readonly args: readonly string[];
  readonly line: number;
  /** How it was written, for messages. */
  readonly shown: string;
}

/** The arguments after the CLI program, when `words` runs the RepoSentry CLI. */
export function cliArgsOf(words: readonly string[]): string[] | undefined {
  const [program, second, third] = words;
  if (program === 'reposentry') return words.slice(1);
  if (program === 'node' && second !== undefined && /(^|\/)bin\/reposentry\.js$/.test(second))
    return words.slice(2);
  if (
    program === 'npx' &&
    second === 'tsx' &&
    third !== undefined &&
    /(^|\/)scripts\/reposentry\.ts$/.test(third)
  )
    return words.slice(3);
  return undefined;
}

/** Every CLI invocation in shell code blocks, and in inline code that starts with the CLI. */
export function invocationsOf(parsed: ParsedMarkdown): Invocation[] {
  const found: Invocation[] = [];
  const collect = (text: string, line: number): void => {
    for (const command of shellCommands(text)) {
      const words = programWords(command);
      const args = cliArgsOf(words);
      if (args !== undefined) found.push({ args, line, shown: words.join(' ') });
    }
  };
  for (const block of parsed.blocks) {
    if (!isShellBlock(block)) continue;
    shellTextOf(block)
      .split('\n')
      .forEach((_, offset, lines) => {
        // Keep line numbers: feed each physical line, joining continuations first.
        if (offset > 0 && lines[offset - 1]?.endsWith('\\')) return;
        let text = lines[offset] ?? '';
        for (let next = offset; lines[next]?.endsWith('\\'); next++)
          text = `${text.slice(0, -1)} ${lines[next + 1] ?? ''}`;
        collect(text, block.line + 1 + offset);
      });
  }
  for (const span of parsed.spans) {
    if (/^(reposentry|node \S*bin\/reposentry\.js)( |$)/.test(span.text))
      collect(span.text, span.line);
  }
  return found;
}

/**
 * Positional arguments each command reads (the rest are silently ignored by the CLI, so a
 * document passing one, e.g. `validate config.yaml` instead of `-c config.yaml`, would mislead).
 */
const POSITIONALS: Readonly<Record<string, number>> = { repos: 2, events: 2, storage: 1 };
const EVENT_ACTIONS = ['list', 'show', 'redeliver'];
/** Option values the commands check themselves; a documented value must be one of them. */
const OPTION_VALUES: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  'test-webhook': { type: EVENT_TYPES },
  events: { type: EVENT_TYPES, status: DELIVERY_STATUSES },
};

/** Placeholders a document may write where a value goes: `<command>`, `NAME`, `EVENT_ID`, `"$id"`. */
function isPlaceholder(value: string): boolean {
  return /^<.*>$/.test(value) || /^[A-Z][A-Z0-9_]*$/.test(value) || value.startsWith('$');
}

/** Problems with one invocation, checked as `main()` and the command's `run()` would see it. */
export function invocationProblems(
  args: readonly string[],
  commands: readonly CliCommand[],
): string[] {
  // Usage-style brackets (`[-c FILE]`) are not part of the command line.
  const argv = args.map((arg) => arg.replace(/^\[+|\]+$/g, '')).filter((arg) => arg !== '');
  const [name, ...rest] = argv;
  const names = commands.map((c) => c.name);
  if (name === undefined || name === '--version' || name === '-v') return [];
  if (name === 'help' || name === '--help' || name === '-h') {
    const target = rest[0];
    return target === undefined || isPlaceholder(target) || names.includes(target)
      ? []
      : [`help: no command named ${JSON.stringify(target)} (commands: ${names.join(', ')})`];
  }
  const command = commands.find((c) => c.name === name);
  if (command === undefined)
    return [`unknown command ${JSON.stringify(name)} (commands: ${names.join(', ')})`];
  if (rest.includes('--help') || rest.includes('-h')) return [];

  const problems: string[] = [];
  const known = Object.entries(command.options).flatMap(([long, spec]) => [
    `--${long}`,
    ...(spec.short === undefined ? [] : [`-${spec.short}`]),
  ]);
  for (const arg of rest) {
    const option = arg.split('=')[0] ?? arg;
    if (/^--?[A-Za-z]/.test(option) && !known.includes(option))
      problems.push(
        `${name}: unknown option ${option} (${name} takes ${known.join(', ') || 'no options'})`,
      );
  }
  if (problems.length > 0) return problems;

  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      options: command.options,
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    return [`${name}: ${err instanceof Error ? err.message : String(err)}`];
  }
  const { values, positionals } = parsed;
  const allowed = POSITIONALS[name] ?? 0;
  if (positionals.length > allowed)
    problems.push(
      `${name}: takes ${allowed === 0 ? 'no' : `at most ${allowed}`} positional argument${allowed === 1 ? '' : 's'}, got ${positionals.join(' ')}`,
    );
  if (name === 'poll' && values.once !== true)
    problems.push('poll: --once is required (the continuous poller is `reposentry run`)');
  if (name === 'events') {
    const [action = 'list', id] = positionals;
    if (!EVENT_ACTIONS.includes(action))
      problems.push(
        `events: unknown action ${JSON.stringify(action)} (use list, show or redeliver)`,
      );
    else if (action !== 'list' && id === undefined) problems.push(`events ${action}: needs an ID`);
    else if (action === 'list' && id !== undefined)
      problems.push(`events list: takes no ID (got ${id})`);
  }
  if (name === 'storage' && positionals[0] !== 'migrate')
    problems.push(`storage: unknown action ${JSON.stringify(positionals[0] ?? '')} (use migrate)`);
  for (const [option, choices] of Object.entries(OPTION_VALUES[name] ?? {})) {
    const value = values[option];
    if (typeof value === 'string' && !isPlaceholder(value) && !choices.includes(value))
      problems.push(`${name}: --${option} ${value} is not one of ${choices.join(', ')}`);
  }
  return problems;
}

export function commandProblems(doc: DocContext, commands: readonly CliCommand[]): string[] {
  return invocationsOf(doc.parsed).flatMap((invocation) =>
    invocationProblems(invocation.args, commands).map(
      (problem) => `${doc.file}:${invocation.line}: \`${invocation.shown}\`: ${problem}`,
    ),
  );
}

/** `npm run X` (and `npm start`/`npm test`) in shell blocks must name a package.json script. */
export function npmScriptProblems(
  doc: DocContext,
  scripts: Readonly<Record<string, string>>,
): string[] {
  const problems: string[] = [];
  for (const block of doc.parsed.blocks) {
    if (!isShellBlock(block)) continue;
    for (const command of shellCommands(shellTextOf(block))) {
      const [program, verb, script] = programWords(command);
      if (program !== 'npm') continue;
      const name = verb === 'run' || verb === 'run-script' ? script : verb;
      if ((verb === 'run' || verb === 'start' || verb === 'test') && name !== undefined) {
        if (!(name in scripts))
          problems.push(
            `${doc.file}:${block.line}: npm script ${JSON.stringify(name)} does not exist`,
          );
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Links
// ---------------------------------------------------------------------------------------------

/**
 * Every relative link must point at a file or directory that exists; a `#fragment` into a
 * Markdown file (or the same file) must name one of its headings.
 */
export function linkProblems(
  doc: DocContext,
  root: string,
  anchorsOf: (absoluteMarkdownFile: string) => ReadonlySet<string>,
): string[] {
  const problems: string[] = [];
  const here = path.resolve(root, doc.file);
  for (const link of doc.parsed.links) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(link.target)) continue;
    const [rawPath = '', fragment] = link.target.split('#', 2);
    const target = rawPath === '' ? here : path.resolve(path.dirname(here), decodeURI(rawPath));
    const where = `${doc.file}:${link.line}: link ${link.target}`;
    if (!target.startsWith(root)) {
      problems.push(`${where}: points outside the repository`);
      continue;
    }
    if (rawPath !== '' && !existsSync(target)) {
      problems.push(`${where}: ${path.relative(root, target)} does not exist`);
      continue;
    }
    if (fragment !== undefined && fragment !== '' && target.endsWith('.md')) {
      if ((rawPath === '' || statSync(target).isFile()) && !anchorsOf(target).has(fragment))
        problems.push(`${where}: ${path.relative(root, target)} has no heading #${fragment}`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Configuration keys and snippets
// ---------------------------------------------------------------------------------------------

const SECTIONS = new Set(Object.keys(configSchema));
const KEY_PATHS = [
  ...schemaLeaves(configSchema).map((leaf) => leaf.path),
  ...REPOSITORY_KEY_NAMES.map((key) => `repositories[].${key}`),
  ...DISCOVERY_KEY_NAMES.map((key) => `discovery[].${key}`),
];

/** The key named by an inline code span such as `tekton.secret: ${X}`, or undefined. */
export function configKeyOf(span: string): string | undefined {
  const key = /^[a-z_]+(?:\[\d*\])?(?:\.(?:[a-z_]+|\*)(?:\[\d*\])?)+/.exec(span)?.[0];
  if (key === undefined || !SECTIONS.has(key.split(/[.[]/)[0] ?? '')) return undefined;
  return key.replace(/\[\d*\]/g, '[]');
}

export function isKnownConfigKey(key: string): boolean {
  const pattern = new RegExp(
    `^${key
      .split('*')
      .map((part) => part.replace(/[.[\]]/g, (c) => `\\${c}`))
      .join('.+')}(\\..+)?$`,
  );
  if (KEY_PATHS.some((known) => pattern.test(known))) return true;
  // Entries of a map-valued key, e.g. `tekton.headers.X-Team`.
  return key.startsWith('tekton.headers.');
}

export function configKeyProblems(doc: DocContext): string[] {
  return doc.parsed.spans.flatMap((span) => {
    const key = configKeyOf(span.text);
    return key === undefined || isKnownConfigKey(key)
      ? []
      : [`${doc.file}:${span.line}: \`${span.text}\`: no configuration key ${key}`];
  });
}

/**
 * A YAML block whose top-level keys are all configuration sections is a configuration snippet:
 * it must load (every `${NAME}` it uses counts as set; `*_DATABASE_URL` to a database URL).
 */
export function configSnippetProblems(doc: DocContext): string[] {
  const problems: string[] = [];
  for (const block of doc.parsed.blocks) {
    if (block.lang !== 'yaml' && block.lang !== 'yml') continue;
    let value: unknown;
    try {
      value = yaml.load(block.text);
    } catch (err) {
      problems.push(`${doc.file}:${block.line}: YAML does not parse: ${(err as Error).message}`);
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) continue;
    const keys = Object.keys(value);
    if (keys.length === 0 || !keys.every((key) => SECTIONS.has(key))) continue;
    const env = Object.fromEntries(
      [...block.text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => [
        m[1],
        m[1]?.endsWith('_DATABASE_URL') ? 'postgres://user:password@db:5432/reposentry' : 'value',
      ]),
    );
    try {
      loadConfigFromObject(value, { env, cwd: '/tmp' });
    } catch (err) {
      const list = isConfigError(err) ? err.problems : [String(err)];
      problems.push(
        `${doc.file}:${block.line}: configuration snippet is invalid: ${list.join('; ')}`,
      );
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Metric names
// ---------------------------------------------------------------------------------------------

/** Every `reposentry_*` name in the document (prose, code spans and blocks) must be a metric. */
export function metricProblems(
  file: string,
  markdown: string,
  metrics: ReadonlySet<string>,
): string[] {
  const problems: string[] = [];
  markdown.split('\n').forEach((line, index) => {
    for (const match of line.matchAll(/\breposentry_[a-z0-9_]+\b/g)) {
      const name = match[0];
      const base = name.replace(/_(bucket|sum|count)$/, '');
      if (!metrics.has(name) && !metrics.has(base))
        problems.push(`${file}:${index + 1}: no metric named ${name}`);
    }
  });
  return problems;
}
