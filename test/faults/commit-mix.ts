/**
 * The workload of the crash scenarios (crash-loop.ts, replica-crash-loop.ts): bare repositories
 * `org/repo0`, `org/repo1` ..., and commits landing continuously on random ones: updates, new
 * branches, deletions, tags, a branch moved back and forth between two shas, and a tag deleted
 * and pushed again at the same commit (transitions that really happen again and must fire
 * again).
 */
import type { BareRepo, GitRepoFactory } from '../helpers/git-repo-factory.js';

export interface MixRepos {
  readonly repos: readonly BareRepo[];
  /** Per repository, the two shas its `flip` branch is moved between (A->B->A->B ...). */
  readonly flips: readonly (readonly [string, string])[];
}

export interface CommitMix {
  /** Commits landed so far. */
  readonly commits: number;
  /** Stops committing; resolves once the commit under way has landed (rejects if one failed). */
  stop(): Promise<void>;
}

/** `count` bare repositories, each with `main` and a `flip` branch one commit apart. */
export async function createMixRepos(factory: GitRepoFactory, count: number): Promise<MixRepos> {
  const repos: BareRepo[] = [];
  const flips: [string, string][] = [];
  for (let i = 0; i < count; i += 1) {
    const repo = await factory.createBareRepo(`org/repo${i}`);
    const a = await repo.commit('main', 'initial');
    await repo.createBranch('flip', a);
    const b = await repo.commit('flip', 'the other side of flip');
    repos.push(repo);
    flips.push([a, b]);
  }
  return { repos, flips };
}

/** Starts committing on random repositories of `mix`, pausing between `pauseMs` after each. */
export function startCommitMix(
  mix: MixRepos,
  options: { readonly random: () => number; readonly pauseMs: readonly [number, number] },
): CommitMix {
  const { repos, flips } = mix;
  const { random } = options;
  const [minPause, maxPause] = options.pauseMs;
  let committing = true;
  let commits = 0;
  const committer = (async () => {
    let n = 0;
    while (committing) {
      const index = Math.floor(random() * repos.length);
      const repo = repos[index]!;
      const roll = random();
      n += 1;
      if (roll < 0.45) await repo.commit('main', `change ${n}`);
      else if (roll < 0.6) await repo.createBranch(`topic/${n}`, 'main');
      else if (roll < 0.68) {
        const topics = [...(await repo.refs()).keys()].filter((r) =>
          r.startsWith('refs/heads/topic/'),
        );
        const victim = topics[Math.floor(random() * topics.length)];
        if (victim) await repo.deleteBranch(victim.slice('refs/heads/'.length));
      } else if (roll < 0.75) await repo.tag(`v${n}`, 'main');
      else if (roll < 0.9) {
        const [a, b] = flips[index]!;
        await repo.forcePush('flip', (await repo.resolve('flip')) === a ? b : a);
      } else if ((await repo.refs()).has('refs/tags/again')) await repo.deleteTag('again');
      else await repo.tag('again', flips[index]![0]);
      commits += 1;
      await new Promise((r) => setTimeout(r, minPause + random() * (maxPause - minPause)));
    }
  })();
  // A failure surfaces through stop(); until then it must not be an unhandled rejection.
  committer.catch(() => undefined);
  return {
    get commits() {
      return commits;
    },
    stop: () => {
      committing = false;
      return committer;
    },
  };
}
