/**
 * Checks answers of the API against its OpenAPI document: the status must be one the document
 * declares for the route, the content type one it declares for that status, and a JSON body must
 * match the schema it declares there. A mismatch throws, naming the route and what differs.
 */
import { z } from 'zod';
import { OPENAPI_DOCUMENT } from '../../src/api/openapi-document.js';

type JsonSchema = Record<string, unknown>;
interface DocumentedResponse {
  readonly content?: Record<string, { readonly schema?: JsonSchema }>;
}
interface Operation {
  readonly responses: Record<string, DocumentedResponse>;
  readonly 'x-sse-messages'?: Record<string, JsonSchema>;
}
interface Document {
  readonly paths: Record<string, Record<string, Operation>>;
  readonly components: { readonly schemas: Record<string, JsonSchema> };
}
interface Route {
  readonly template: string;
  readonly pattern: RegExp;
  readonly operations: Record<string, Operation>;
}

/** What a path that is no route, or a method a route does not have, answers: an Error. */
const ERROR_ANSWER: DocumentedResponse = {
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
};

const routesOf = new WeakMap<object, readonly Route[]>();
const validatorOf = new WeakMap<object, z.ZodType>();

function routes(document: Document): readonly Route[] {
  let found = routesOf.get(document);
  if (found === undefined) {
    found = Object.entries(document.paths)
      .map(([template, operations]) => ({
        template,
        // As express matches it: case-sensitive, a trailing slash allowed, `{x}` one segment.
        pattern: new RegExp(
          `^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+')}/?$`,
        ),
        operations,
      }))
      // Literal segments first: /api/v1/events/stream before /api/v1/events/{id}.
      .sort((a, b) => a.template.split('{').length - b.template.split('{').length);
    routesOf.set(document, found);
  }
  return found;
}

/** A zod schema converted from the document's schema, `$ref`s resolved in components.schemas. */
function validator(document: Document, schema: JsonSchema): z.ZodType {
  let found = validatorOf.get(schema);
  if (found === undefined) {
    const local = (value: unknown): JsonSchema =>
      JSON.parse(
        JSON.stringify(value).replaceAll('"#/components/schemas/', '"#/definitions/'),
      ) as JsonSchema;
    found = z.fromJSONSchema(
      { ...local(schema), definitions: local(document.components.schemas) },
      { defaultTarget: 'openapi-3.0' },
    );
    validatorOf.set(schema, found);
  }
  return found;
}

function checkBody(document: Document, schema: JsonSchema, body: unknown, where: string): void {
  const result = validator(document, schema).safeParse(body);
  if (!result.success)
    throw new Error(
      `${where} does not match the OpenAPI document:\n${z.prettifyError(result.error)}`,
    );
}

/**
 * Checks one answer (its body is read from a clone, so the caller can still read it). HEAD
 * answers and 204 have no body; text/event-stream bodies are endless and left alone (see
 * checkStreamMessage).
 */
export async function checkResponse(
  method: string,
  url: string,
  response: Response,
  document: Document = OPENAPI_DOCUMENT as unknown as Document,
): Promise<void> {
  const verb = method.toUpperCase();
  const { pathname } = new URL(url);
  if (verb === 'HEAD' || response.status === 204) return;
  const route = routes(document).find((r) => r.pattern.test(pathname));
  const operation = route?.operations[verb.toLowerCase()];
  const where = `${verb} ${route?.template ?? pathname} -> ${response.status}`;
  const contentType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
  let documented: DocumentedResponse | undefined;
  if (operation === undefined) {
    // No route here (404) or not this method (405): an Error, or a page of the Swagger UI.
    if (contentType !== 'application/json') return;
    documented = ERROR_ANSWER;
  } else {
    documented = operation.responses[String(response.status)];
    if (documented === undefined)
      throw new Error(
        `${where}: the OpenAPI document declares no ${response.status} for this route (only ${Object.keys(operation.responses).join(', ')})`,
      );
  }
  const media = documented.content ?? {};
  if (Object.keys(media).length === 0) return;
  const declared = media[contentType];
  if (declared === undefined)
    throw new Error(
      `${where}: answered ${contentType || 'without a content type'}; the OpenAPI document says ${Object.keys(media).join(' or ')}`,
    );
  if (contentType !== 'application/json' || declared.schema === undefined) return;
  const text = await response.clone().text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${where}: the body is not JSON: ${text.slice(0, 200)}`);
  }
  checkBody(document, declared.schema, body, where);
}

/** Checks the data of one message of /api/v1/events/stream against the schema the document names. */
export function checkStreamMessage(
  event: string,
  data: unknown,
  document: Document = OPENAPI_DOCUMENT as unknown as Document,
): void {
  const template = '/api/v1/events/stream';
  const messages = document.paths[template]?.get?.['x-sse-messages'] ?? {};
  const schema = messages[event];
  const where = `GET ${template} message ${JSON.stringify(event)}`;
  if (schema === undefined)
    throw new Error(
      `${where}: the OpenAPI document names no such message (only ${Object.keys(messages).join(', ')})`,
    );
  checkBody(document, schema, data, where);
}
