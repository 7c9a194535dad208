import { compilePattern } from './compile-pattern.js';
import type { PullRequestsConfig } from './config-types.js';
import { showValue } from './schema-formats.js';
import { unknownKeyReason } from './suggest-key.js';

/** The keys of a repository's `pull_requests` mapping, and what `true` stands for. */
export const PULL_REQUEST_KEYS = {
  target_branch_regex: {
    default: '.*',
    doc: 'Only requests into a branch matching this regex.',
  },
  include_drafts: { default: 'true', doc: 'Report draft requests too.' },
  include_forks: {
    default: 'false',
    doc: "Report requests from forks too: off by default, since a fork's code would then run in your cluster.",
  },
} as const;

const KEY_NAMES = Object.keys(PULL_REQUEST_KEYS);

/**
 * Reads `repositories[i].pull_requests`: absent or false = not watched, true = the defaults, a
 * mapping = its keys over the defaults. Problems are reported as `path.key: reason`.
 */
export function buildPullRequests(
  value: unknown,
  path: string,
  problems: string[],
): PullRequestsConfig | undefined {
  if (value === undefined || value === null || value === false || value === 'false') {
    return undefined;
  }
  const defaults: PullRequestsConfig = {
    targetBranchPattern: '.*',
    targetBranchRegex: /.*/,
    includeDrafts: true,
    includeForks: false,
  };
  if (value === true || value === 'true') return defaults;
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push(
      `${path}: must be true, false or a mapping of ${KEY_NAMES.join(', ')} (got ${showValue(value)})`,
    );
    return undefined;
  }
  const item = value as Record<string, unknown>;
  const before = problems.length;
  for (const key of Object.keys(item)) {
    if (!KEY_NAMES.includes(key))
      problems.push(`${path}.${key}: ${unknownKeyReason(key, KEY_NAMES)}`);
  }
  let target = { source: defaults.targetBranchPattern, regex: defaults.targetBranchRegex };
  const source = item['target_branch_regex'];
  if (source !== undefined && source !== null && source !== '') {
    if (typeof source !== 'string') {
      problems.push(`${path}.target_branch_regex: must be a string (got ${showValue(source)})`);
    } else {
      const compiled = compilePattern(source);
      if ('regex' in compiled) target = { source, regex: compiled.regex };
      else problems.push(`${path}.target_branch_regex: ${compiled.reason}`);
    }
  }
  const flag = (key: 'include_drafts' | 'include_forks', fallback: boolean): boolean => {
    const given = item[key];
    if (given === undefined || given === null) return fallback;
    if (typeof given === 'boolean') return given;
    if (given === 'true' || given === 'false') return given === 'true';
    problems.push(`${path}.${key}: must be true or false (got ${showValue(given)})`);
    return fallback;
  };
  const includeDrafts = flag('include_drafts', defaults.includeDrafts);
  const includeForks = flag('include_forks', defaults.includeForks);
  if (problems.length > before) return undefined;
  return {
    targetBranchPattern: target.source,
    targetBranchRegex: target.regex,
    includeDrafts,
    includeForks,
  };
}
