import createClient, { type Client, type ClientOptions, mergeHeaders } from 'openapi-fetch';
import type { components, operations, paths } from './schema';

export type { components, operations, paths };
export type { Middleware } from 'openapi-fetch';

/** A typed client of the gateway's /v1 API: `client.GET('/v1/conversations/{id}', …)` and so on. */
export type ParleyClient = Client<paths>;

/** The JSON body a request takes, by its name in the document: `RequestBody<'OpenConversationRequest'>`. */
export type RequestBody<Name extends keyof components['requestBodies']> =
  components['requestBodies'][Name]['content']['application/json'];

/** The RFC 9457 problem+json body of every 4xx and 5xx answer. */
export type Problem = components['schemas']['ProblemDoc'];

/**
 * A client for the gateway at `baseUrl` (e.g. `http://localhost:3000`), built on openapi-fetch over
 * the types generated from the gateway's own OpenAPI document (src/schema.d.ts). With `token` every
 * request carries `Authorization: Bearer <token>`. Each call resolves to `{ data, error, response }`:
 * `data` typed by the operation's 2xx answer, `error` by its problem answers; it never throws for an
 * HTTP status, only when the request cannot be made at all.
 */
export function createParleyClient(
  baseUrl: string,
  token?: string,
  options: Omit<ClientOptions, 'baseUrl'> = {},
): ParleyClient {
  const authorization = token ? { authorization: `Bearer ${token}` } : undefined;
  return createClient<paths>({ ...options, baseUrl, headers: mergeHeaders(options.headers, authorization) });
}
export { followInbox, SseParser } from './inbox-stream';
export type {
  InboxEvent,
  InboxStream,
  InboxStreamOptions,
  InboxStreamState,
  TypingEvent,
} from './inbox-stream';
