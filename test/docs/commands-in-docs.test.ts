import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands.js';
import { ERROR_CODES } from '../../src/errors/reposentry-error.js';
import { DaemonMetrics } from '../../src/metrics/daemon-metrics.js';
import {
  commandProblems,
  configKeyProblems,
  configSnippetProblems,
  invocationProblems,
  invocationsOf,
  linkProblems,
  metricProblems,
  npmScriptProblems,
  type DocContext,
} from './doc-checks.js';
import { parseMarkdown, type ParsedMarkdown } from './markdown.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

/** README.md and every Markdown file in docs/. */
function docFiles(): string[] {
  const docs = readdirSync(path.join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`);
  return ['README.md', ...docs.sort()];
}

const parsedCache = new Map<string, ParsedMarkdown>();
function parsedFile(absolute: string): ParsedMarkdown {
  let parsed = parsedCache.get(absolute);
  if (parsed === undefined) {
    parsed = parseMarkdown(readFileSync(absolute, 'utf8'));
    parsedCache.set(absolute, parsed);
  }
  return parsed;
}

function doc(file: string): DocContext {
  return { file, parsed: parsedFile(path.join(ROOT, file)) };
}

/** A document written in the test, checked as if it were docs/example.md. */
function fakeDoc(markdown: string): DocContext {
  return { file: 'docs/example.md', parsed: parseMarkdown(markdown) };
}

const anchorsOf = (absolute: string): ReadonlySet<string> => parsedFile(absolute).anchors;

const packageJson = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};

function metricNames(): Set<string> {
  const metrics = new DaemonMetrics({
    deliveryCounts: () => Promise.resolve({ pending: 0, in_flight: 0, delivered: 0, failed: 0 }),
    oldestPendingAgeMs: () => Promise.resolve(undefined),
    rateLimits: () => [],
  });
  return new Set(metrics.registry.getMetricsAsArray().map((metric) => metric.name));
}

describe('the documentation (README.md and docs/*.md)', () => {
  const files = docFiles();

  it('covers the README and the four guides', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'README.md',
        'docs/configuration.md',
        'docs/tekton.md',
        'docs/operations.md',
        'docs/migration-from-go.md',
      ]),
    );
  });

  it('runs the CLI in many places, so the command check below has something to check', () => {
    const count = files.reduce((sum, file) => sum + invocationsOf(doc(file).parsed).length, 0);
    expect(count).toBeGreaterThan(30);
  });

  for (const file of files) {
    describe(file, () => {
      it('runs only reposentry commands that exist, with options those commands take', () => {
        expect(commandProblems(doc(file), COMMANDS)).toEqual([]);
      });

      it('runs only npm scripts that package.json defines', () => {
        expect(npmScriptProblems(doc(file), packageJson.scripts)).toEqual([]);
      });

      it('links only to files, directories and headings that exist', () => {
        expect(linkProblems(doc(file), ROOT, anchorsOf)).toEqual([]);
      });

      it('names only configuration keys the schema has', () => {
        expect(configKeyProblems(doc(file))).toEqual([]);
      });

      it('shows only configuration snippets that load', () => {
        expect(configSnippetProblems(doc(file))).toEqual([]);
      });

      it('names only metrics the daemon exports', () => {
        const text = readFileSync(path.join(ROOT, file), 'utf8');
        expect(metricProblems(file, text, metricNames())).toEqual([]);
      });
    });
  }

  it('lists every error code a user can meet in the troubleshooting section of operations.md', () => {
    const text = readFileSync(path.join(ROOT, 'docs/operations.md'), 'utf8');
    const section = text.slice(text.indexOf('## Troubleshooting by error code'));
    // config-env-missing is defined but never raised: a missing variable is a config-invalid problem.
    const unused = new Set(['config-env-missing']);
    const missing = ERROR_CODES.filter(
      (code) => !unused.has(code) && !section.includes(`\`${code}\``),
    );
    expect(missing).toEqual([]);
    const named = [...section.matchAll(/^\| `([a-z]+(?:-[a-z]+)*)` /gm)].map((m) => m[1] ?? '');
    expect(named.filter((code) => !(ERROR_CODES as readonly string[]).includes(code))).toEqual([]);
  });
});

describe('the documentation checks themselves', () => {
  it('reject a made-up option, an unknown command and a missing --once', () => {
    const problems = commandProblems(
      fakeDoc(
        [
          '```sh',
          'reposentry validate -c config.yaml --strict',
          'reposentry frobnicate',
          'node bin/reposentry.js poll -c config.yaml',
          '```',
        ].join('\n'),
      ),
      COMMANDS,
    );
    expect(problems).toEqual([
      expect.stringMatching(/^docs\/example\.md:2: .*validate: unknown option --strict/),
      expect.stringMatching(/^docs\/example\.md:3: .*unknown command "frobnicate"/),
      expect.stringMatching(/^docs\/example\.md:4: .*poll: --once is required/),
    ]);
  });

  it('check commands in pipelines, substitutions, continuations and inline code', () => {
    const problems = commandProblems(
      fakeDoc(
        [
          '```sh',
          'ID="$(reposentry events list --bogus)" && echo "$ID"',
          'reposentry events list --json | while read -r id; do reposentry events redeliver; done',
          'sudo reposentry run \\',
          '  --config /etc/reposentry/config.yaml --verbose',
          'kubectl -n reposentry logs deployment/reposentry   # not the CLI',
          '```',
          'Then run `reposentry status --token`, `reposentry validate config.yaml` and',
          '`reposentry test-webhook --type branch.moved`. A span may wrap: `reposentry repos',
          '--bogus`.',
        ].join('\n'),
      ),
      COMMANDS,
    );
    expect(problems).toEqual([
      expect.stringMatching(/:2: .*events: unknown option --bogus/),
      expect.stringMatching(/:3: .*events redeliver: needs an ID/),
      expect.stringMatching(/:4: .*run: unknown option --verbose/),
      expect.stringMatching(/:8: .*status: .*--token/),
      expect.stringMatching(/:8: .*validate: takes no positional arguments/),
      expect.stringMatching(/:9: .*--type branch\.moved is not one of/),
      expect.stringMatching(/:9: `reposentry repos --bogus`: repos: unknown option --bogus/),
    ]);
  });

  it('accept the command lines the CLI accepts', () => {
    const ok = [
      ['help'],
      ['help', 'events'],
      ['help', '<command>'],
      ['--version'],
      ['run', '-c', 'FILE'],
      ['init', '[-o', 'FILE]', '[--force]'],
      ['poll', '--once', '--trigger', '--json', '-r', 'my-app'],
      ['events', 'show', 'EVENT_ID', '--server', 'http://127.0.0.1:8080'],
      ['events', 'list', '--status', 'failed', '--limit', '5'],
      ['repos', 'my-app', '--json'],
      ['demo', '--port', '8080', '--commit-every', '2s'],
      ['validate', '--help'],
    ];
    for (const args of ok) expect(invocationProblems(args, COMMANDS)).toEqual([]);
  });

  it('reject missing files, missing headings and links outside the repository', () => {
    const problems = linkProblems(
      fakeDoc(
        [
          '# Title',
          '[ok](configuration.md#reference), [ok](../deployments/tekton/), [ok](#title)',
          '[web](https://example.com/nowhere.md)',
          '[gone](nowhere.md), [bad anchor](tekton.md#no-such-heading), [self](#nope)',
          '[out](../../etc/passwd)',
        ].join('\n'),
      ),
      ROOT,
      (file) => (file.endsWith('example.md') ? new Set(['title']) : anchorsOf(file)),
    );
    expect(problems).toEqual([
      expect.stringMatching(/:4: link nowhere\.md: docs\/nowhere\.md does not exist/),
      expect.stringMatching(/:4: link tekton\.md#no-such-heading: .*no heading/),
      expect.stringMatching(/:4: link #nope: .*no heading #nope/),
      expect.stringMatching(/:5: link \.\.\/\.\.\/etc\/passwd: points outside the repository/),
    ]);
  });

  it('reject unknown configuration keys, invalid snippets, unknown metrics and npm scripts', () => {
    const example = fakeDoc(
      [
        'Set `tekton.secrets` and `repositories[0].tokens`; `rate_limit.*.burst` and',
        '`tekton.headers.X-Team` are fine.',
        '```yaml',
        'polling:',
        '  interval: 5 minutes',
        '```',
        '```sh',
        'npm run docs:everything',
        '```',
      ].join('\n'),
    );
    expect(configKeyProblems(example)).toEqual([
      expect.stringMatching(/:1: .*no configuration key tekton\.secrets/),
      expect.stringMatching(/:1: .*no configuration key repositories\[\]\.tokens/),
    ]);
    expect(configSnippetProblems(example)).toEqual([
      expect.stringMatching(/:3: configuration snippet is invalid: polling\.interval/),
    ]);
    expect(npmScriptProblems(example, packageJson.scripts)).toEqual([
      expect.stringMatching(/npm script "docs:everything" does not exist/),
    ]);
    expect(
      metricProblems(
        'x.md',
        'rate(reposentry_polls_total[5m]) reposentry_poll_duration_seconds_bucket reposentry_pols_total',
        metricNames(),
      ),
    ).toEqual(['x.md:1: no metric named reposentry_pols_total']);
  });
});
