import { EVENT_TYPES, type EventType } from '../events/change-event.js';
import { RequestOpener } from '../http/open-request.js';
import { buildPayload } from '../trigger/payloads/build-payload.js';
import { sampleChangeEvent } from '../trigger/payloads/sample-change-event.js';
import { sendSignedPayload } from '../trigger/send-signed-payload.js';
import { VERSION } from '../version.js';
import {
  EXIT_BAD_CONFIG,
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  type CliCommand,
} from './cli-command.js';
import { loadConfigOrReport } from './load-config-or-report.js';
import { oneShotOutput } from './one-shot-output.js';
import { resolveConfigPath } from './resolve-config-path.js';
import { readDiscovered } from './read-discovered.js';
import { selectRepositories } from './select-repositories.js';

/**
 * `reposentry test-webhook`: sends one sample delivery for a repository (the first one unless
 * `--repository NAME`) exactly as the daemon would: its EventListener URL and payload format,
 * `tekton.headers`, the signature or token, `tekton.timeout`. The event is a recognisable sample
 * (shas 1111… -> 2222…), nothing is read from or written to the database. Prints the response;
 * exit 0 on 2xx, 1 otherwise.
 */
export const testWebhookCommand: CliCommand = {
  name: 'test-webhook',
  summary: 'Send one sample delivery exactly as the daemon would and print the response',
  usage: `reposentry test-webhook [-c FILE] [--repository NAME] [--type ${EVENT_TYPES.join('|')}] [--json]`,
  options: {
    config: { type: 'string', short: 'c' },
    repository: { type: 'string', short: 'r' },
    type: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(args, io) {
    const type = args.values.type ?? 'branch.updated';
    if (!isEventType(type)) {
      io.stderr(`--type: '${String(type)}' is not one of ${EVENT_TYPES.join(', ')}\n`);
      return EXIT_USAGE;
    }
    const fileConfig = await loadConfigOrReport(resolveConfigPath(args, io), io);
    if (fileConfig === undefined) return EXIT_BAD_CONFIG;
    const config = await readDiscovered(
      fileConfig,
      'test-webhook',
      oneShotOutput(fileConfig, io).log,
      io,
    );
    const selected = selectRepositories(config, args.values.repository, io);
    if (selected === undefined) return EXIT_USAGE;
    const repo = selected[0];
    if (repo === undefined) {
      io.stderr('reposentry test-webhook: the config has no repositories to take a sample from\n');
      return EXIT_BAD_CONFIG;
    }
    const { print } = oneShotOutput(config, io);
    const { tekton } = config;
    const event = sampleChangeEvent(repo, { type });
    const payload = buildPayload(repo.payloadFormat, event, {
      version: VERSION,
      extraHeaders: tekton.headers,
    });
    // The connections of this one delivery, closed once it is answered.
    const opener = new RequestOpener();
    const outcome = await sendSignedPayload({
      url: repo.eventListenerUrl,
      format: repo.payloadFormat,
      payload,
      attempt: 1,
      tekton,
      opener,
      readBody: true,
    }).finally(() => opener.close());
    if (args.values.json === true) {
      const json = {
        repository: repo.name,
        url: repo.eventListenerUrl,
        format: repo.payloadFormat,
        eventId: event.id,
        eventType: event.type,
        ref: event.ref,
        signed: tekton.secret !== undefined && tekton.secret !== '',
        ok: outcome.ok,
        code: outcome.code,
        statusCode: outcome.statusCode ?? null,
        latencyMs: outcome.latencyMs,
        response: outcome.responseBody ?? null,
        error: outcome.error ?? null,
      };
      print(`${JSON.stringify(json, null, 2)}\n`);
    } else {
      const signed =
        tekton.secret === undefined || tekton.secret === ''
          ? 'unsigned: tekton.secret is not set'
          : repo.payloadFormat === 'gitlab'
            ? 'with X-Gitlab-Token'
            : 'signed (X-Hub-Signature-256)';
      print(
        `POST ${repo.eventListenerUrl}\n  repository ${repo.name}, format ${repo.payloadFormat}, ${signed}\n  sample ${event.type} ${event.ref}, event ${event.id}\n`,
      );
      if (outcome.ok) {
        print(`HTTP ${outcome.statusCode ?? ''} in ${outcome.latencyMs} ms: delivered\n`);
        if (outcome.responseBody) print(`${outcome.responseBody}\n`);
      } else {
        const status =
          outcome.statusCode === undefined ? 'no response' : `HTTP ${outcome.statusCode}`;
        const hint = outcome.retryable
          ? 'the daemon would retry this'
          : 'the daemon would not retry this';
        print(
          `${status} in ${outcome.latencyMs} ms: ${outcome.code}: ${outcome.error ?? ''} (${hint})\n`,
        );
      }
    }
    return outcome.ok ? EXIT_OK : EXIT_FAILURE;
  },
};

function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && (EVENT_TYPES as readonly string[]).includes(value);
}
