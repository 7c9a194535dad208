/**
 * How the Go RepoSentry (johnnynv/RepoSentry) lists a GitHub repository's branches, for the
 * quota comparison: one `GET /repos/{owner}/{repo}/branches` per repository and poll, without
 * `per_page` (GitHub's default page of 30), without `If-None-Match`, and no further pages. Every
 * such request is a 200 and spends one unit of quota.
 */
import type { BenchRepo } from './bench-github.js';

export interface GoStyleCycle {
  readonly requests: number;
  /** Branches the first pages listed, over all repositories. */
  readonly branchesSeen: number;
  readonly failures: number;
}

export async function goStyleCycle(
  apiBaseUrl: string,
  token: string,
  repos: readonly BenchRepo[],
  concurrency = 5,
): Promise<GoStyleCycle> {
  let next = 0;
  let requests = 0;
  let branchesSeen = 0;
  let failures = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < repos.length; i = next++) {
      const repo = repos[i];
      if (repo === undefined) break;
      requests += 1;
      const response = await fetch(`${apiBaseUrl}/repos/${repo.owner}/${repo.name}/branches`, {
        headers: {
          authorization: `token ${token}`,
          accept: 'application/vnd.github.v3+json',
          'user-agent': 'Go-RepoSentry-style-bench',
        },
      });
      if (response.status !== 200) {
        failures += 1;
        await response.arrayBuffer();
        continue;
      }
      branchesSeen += ((await response.json()) as unknown[]).length;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { requests, branchesSeen, failures };
}
