import type { GitVersion } from './parse-git-version.js';

/**
 * The environment of a `git` child: ambient git variables that could redirect or trace it are
 * dropped, prompts are off, and http(s) credentials travel as an `http.<origin>/.extraHeader`
 * set through GIT_CONFIG_COUNT/KEY/VALUE: visible to neither argv nor the URL, and scoped to the
 * repository's origin, so a redirect to another host does not receive it.
 */
export interface GitCredentials {
  readonly username: string;
  readonly token: string;
}

export interface GitInvocation {
  /** The URL to give git: userinfo removed. */
  readonly url: string;
  readonly env: NodeJS.ProcessEnv;
  /** Values that must never appear in messages (token and its header forms). */
  readonly secrets: readonly string[];
  /** Whether `env` carries credentials (GIT_CONFIG_COUNT): git older than 2.31 ignores them. */
  readonly carriesCredentials: boolean;
}

/** The first git that reads GIT_CONFIG_COUNT/KEY/VALUE (older ones run without credentials). */
export const CREDENTIAL_ENV_MIN_GIT: GitVersion = { major: 2, minor: 31, patch: 0 };

/** Ambient variables that would change what or how git talks (or make it print headers). */
const DROPPED =
  /^GIT_(CONFIG(_.*)?|DIR|WORK_TREE|INDEX_FILE|NAMESPACE|OBJECT_DIRECTORY|ALTERNATE_OBJECT_DIRECTORIES|TRACE.*|CURL_VERBOSE|REDACT_COOKIES|ASKPASS|TERMINAL_PROMPT|PROTOCOL_FROM_USER)$/;

/**
 * @param url the configured repository URL (may carry `user[:password]@`, which is moved out)
 * @param credentials token and default username; the URL's username wins, its password is used
 *   when no token is configured
 */
export function buildGitInvocation(
  url: string,
  credentials: GitCredentials | undefined,
  baseEnv: NodeJS.ProcessEnv = process.env,
): GitInvocation {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(baseEnv)) {
    if (!DROPPED.test(key.toUpperCase())) env[key] = value;
  }
  env.GIT_TERMINAL_PROMPT = '0';
  env.GCM_INTERACTIVE = 'never';
  env.GIT_SSH_COMMAND ??= 'ssh -o BatchMode=yes';

  let parsed: URL | undefined;
  try {
    parsed = /^https?:\/\//i.test(url) ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined) {
    return { url, env, secrets: credentials ? [credentials.token] : [], carriesCredentials: false };
  }

  const username = parsed.username ? decodeURIComponent(parsed.username) : credentials?.username;
  const token = credentials?.token || (parsed.password ? decodeURIComponent(parsed.password) : '');
  parsed.username = '';
  parsed.password = '';
  const cleanUrl = parsed.toString();
  if (!token) return { url: cleanUrl, env, secrets: [], carriesCredentials: false };

  const basic = Buffer.from(`${username ?? 'git'}:${token}`, 'utf8').toString('base64');
  env.GIT_CONFIG_COUNT = '1';
  env.GIT_CONFIG_KEY_0 = `http.${parsed.origin}/.extraHeader`;
  env.GIT_CONFIG_VALUE_0 = `Authorization: Basic ${basic}`;
  return { url: cleanUrl, env, secrets: [token, basic], carriesCredentials: true };
}
