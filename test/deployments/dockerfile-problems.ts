/**
 * The rules RepoSentry's Dockerfile must follow, checked on its syntax tree (dockerfile-ast):
 * a list of problems, empty when the Dockerfile is fine.
 */
import {
  Arg,
  Copy,
  DockerfileParser,
  Env,
  From,
  Healthcheck,
  JSONInstruction,
  type Instruction,
} from 'dockerfile-ast';

export interface Stage {
  readonly index: number;
  readonly name: string | undefined;
  readonly from: From;
  readonly instructions: Instruction[];
}

export interface ParsedDockerfile {
  /** ARG instructions before the first FROM. */
  readonly globalArgs: Arg[];
  readonly stages: Stage[];
}

export function parseDockerfile(text: string): ParsedDockerfile {
  const globalArgs: Arg[] = [];
  const stages: Stage[] = [];
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    if (instruction instanceof From) {
      const name = instruction.getBuildStage() ?? undefined;
      stages.push({ index: stages.length, name, from: instruction, instructions: [] });
    } else if (stages.length === 0) {
      if (instruction instanceof Arg) globalArgs.push(instruction);
    } else {
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}

/** Names and values that must never be baked into an image. */
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE|(^|_)KEY($|_)|API_?KEY/i;
const SECRET_VALUE = /TOKEN|SECRET|PASSWORD|ghp_|gho_|github_pat_|glpat-|-----BEGIN/i;

/** The JSON strings of an exec-form instruction, or undefined for the shell form. */
export function execForm(instruction: Instruction | undefined): string[] | undefined {
  if (!(instruction instanceof JSONInstruction)) return undefined;
  if (instruction.getOpeningBracket() === null || instruction.getClosingBracket() === null) {
    return undefined;
  }
  return instruction.getJSONStrings().map((s) => s.getJSONValue());
}

function ofKeyword(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((i) => i.getKeyword() === keyword);
}

function runText(stage: Stage): string {
  return ofKeyword(stage, 'RUN')
    .map((i) => i.getArgumentsContent() ?? '')
    .join('\n');
}

function containsSequence(haystack: readonly string[], needle: readonly string[]): boolean {
  return haystack.some((_, start) => needle.every((item, i) => haystack[start + i] === item));
}

function secretProblems(parsed: ParsedDockerfile): string[] {
  const problems: string[] = [];
  const properties = [
    ...parsed.globalArgs.map((arg) => ({ keyword: 'ARG', property: arg.getProperty() })),
    ...parsed.stages.flatMap((stage) =>
      stage.instructions.flatMap((i) => {
        if (i instanceof Env)
          return i.getProperties().map((p) => ({ keyword: 'ENV', property: p }));
        if (i instanceof Arg) return [{ keyword: 'ARG', property: i.getProperty() }];
        return [];
      }),
    ),
  ];
  for (const { keyword, property } of properties) {
    if (property === null) continue;
    const name = property.getName();
    if (SECRET_NAME.test(name) || SECRET_VALUE.test(property.getValue() ?? '')) {
      problems.push(`${keyword} ${name} looks like a secret: pass secrets at run time`);
    }
  }
  return problems;
}

function stageProblems(parsed: ParsedDockerfile): string[] {
  const problems: string[] = [];
  if (parsed.stages.length < 2) problems.push('not a multi-stage build');
  for (const stage of parsed.stages) {
    const image = stage.from.getImage() ?? '';
    const earlier = parsed.stages.slice(0, stage.index).map((s) => s.name);
    if (earlier.includes(image)) continue;
    const tag = stage.from.getImageTag();
    if (tag === null || tag === 'latest') problems.push(`FROM ${image}: the tag is not pinned`);
    if (stage.from.getImageName() === 'node' && !/^2\d(\.|-|$)/.test(tag ?? '')) {
      problems.push(`FROM ${image}: Node.js major 20 or later must be pinned`);
    }
    for (const copy of stage.instructions.filter((i): i is Copy => i instanceof Copy)) {
      const from = copy.getFromFlag()?.getValue();
      if (from === undefined || from === null) continue;
      const byIndex = /^\d+$/.test(from) && Number(from) < stage.index;
      if (!byIndex && !parsed.stages.slice(0, stage.index).some((s) => s.name === from)) {
        problems.push(`COPY --from=${from} does not name an earlier stage`);
      }
    }
  }
  return problems;
}

function runtimeProblems(runtime: Stage, builders: Stage[]): string[] {
  const problems: string[] = [];
  const users = ofKeyword(runtime, 'USER');
  const user = users.at(-1)?.getArgumentsContent()?.trim();
  if (user === undefined) {
    problems.push('the runtime stage has no USER: it would run as root');
  } else if (!/^\d+(:\d+)?$/.test(user) || /^0(:|$)/.test(user)) {
    problems.push(`USER ${user}: must be a numeric, non-root uid (runAsNonRoot checks the number)`);
  }

  const healthchecks = runtime.instructions.filter((i) => i instanceof Healthcheck);
  const healthcheck = healthchecks.at(-1);
  if (healthcheck?.getSubcommand()?.getValue().toUpperCase() !== 'CMD') {
    problems.push('the runtime stage has no HEALTHCHECK CMD');
  } else if (!(healthcheck.getRawArgumentsContent() ?? '').includes('/healthz')) {
    problems.push('the HEALTHCHECK does not probe /healthz');
  }

  const installs = runText(runtime);
  for (const pkg of ['git', 'ca-certificates']) {
    if (!new RegExp(`(apt-get install|apk add)[^&;]*\\s${pkg}(\\s|$)`).test(installs)) {
      problems.push(`the runtime stage does not install ${pkg}`);
    }
  }

  const entrypoint = execForm(ofKeyword(runtime, 'ENTRYPOINT').at(-1));
  const cmd = execForm(ofKeyword(runtime, 'CMD').at(-1));
  if (ofKeyword(runtime, 'ENTRYPOINT').length > 0 && entrypoint === undefined) {
    problems.push('ENTRYPOINT is in shell form: signals would not reach node');
  }
  if (cmd === undefined) problems.push('CMD is missing or in shell form');
  const argv = [...(entrypoint ?? []), ...(cmd ?? [])];
  if (!argv.some((arg) => arg.endsWith('reposentry.js')) || !argv.includes('node')) {
    problems.push(`the container does not start node .../reposentry.js: ${argv.join(' ')}`);
  }
  if (!containsSequence(argv, ['run', '-c', '/config/config.yaml'])) {
    problems.push(`the container does not run "run -c /config/config.yaml": ${argv.join(' ')}`);
  }

  const volumes = ofKeyword(runtime, 'VOLUME').flatMap(
    (v) => execForm(v) ?? v.getArguments().map((a) => a.getValue()),
  );
  if (!volumes.includes('/data')) problems.push('no VOLUME /data');
  const exposed = ofKeyword(runtime, 'EXPOSE').flatMap((e) =>
    e.getArguments().map((a) => a.getValue()),
  );
  if (!exposed.some((port) => port === '8080' || port === '8080/tcp'))
    problems.push('no EXPOSE 8080');

  const env = runtime.instructions
    .filter((i): i is Env => i instanceof Env)
    .flatMap((e) => e.getProperties());
  if (!env.some((p) => p.getName() === 'NODE_ENV' && p.getValue() === 'production')) {
    problems.push('NODE_ENV is not production in the runtime stage');
  }

  for (const copy of runtime.instructions.filter((i): i is Copy => i instanceof Copy)) {
    if (copy.getFromFlag() === null) {
      problems.push(
        `COPY ${copy.getArgumentsContent() ?? ''}: the runtime stage copies from the build context, not from the build stage`,
      );
    }
  }
  const builderRuns = builders.map(runText).join('\n');
  if (!/--omit=dev|--production/.test(builderRuns)) {
    problems.push('no build stage drops the dev dependencies (npm prune/ci --omit=dev)');
  }
  for (const tool of ['python3', 'make', 'g++']) {
    if (!builderRuns.includes(tool)) problems.push(`no build stage installs ${tool} for node-gyp`);
  }
  return problems;
}

export function dockerfileProblems(text: string): string[] {
  const parsed = parseDockerfile(text);
  const runtime = parsed.stages.at(-1);
  if (runtime === undefined) return ['no FROM instruction'];
  return [
    ...stageProblems(parsed),
    ...secretProblems(parsed),
    ...runtimeProblems(runtime, parsed.stages.slice(0, -1)),
  ];
}

/** Paths the Dockerfile COPYs from the build context (COPY without --from, ADD). */
export function contextSources(text: string): string[] {
  const sources: string[] = [];
  for (const stage of parseDockerfile(text).stages) {
    for (const i of stage.instructions) {
      const isContextCopy =
        (i instanceof Copy && i.getFromFlag() === null) || i.getKeyword() === 'ADD';
      if (!isContextCopy) continue;
      const args = execForm(i) ?? i.getArguments().map((a) => a.getValue());
      sources.push(...args.slice(0, -1).filter((a) => !a.startsWith('--')));
    }
  }
  return sources;
}
