import type { FastifyInstance } from 'fastify';
import { WEB_APPS } from '../web/web-apps';

export interface RegisteredRoute {
  method: string;
  /** As Fastify has it: `/v1/conversations/:id`. */
  url: string;
}

/**
 * The documentation (`/docs`, `/docs/…`, `/docs-yaml`), probes, metrics and the browser apps
 * (`/console`, `/widget`): beside the API, not in it.
 */
const NOT_API = new RegExp(`^/docs|^/health(/|$)|^/metrics$|^/(${WEB_APPS.join('|')})(/|$)`);

/**
 * Records every route Fastify registers (call it before the app initialises) and answers the API's
 * routes: what e2e/openapi.e2e-spec.ts holds the OpenAPI document against, both ways. The HEAD route
 * Fastify adds beside each GET is left out; a HEAD route of its own would be listed.
 */
export function recordRoutes(fastify: FastifyInstance): () => RegisteredRoute[] {
  const routes: RegisteredRoute[] = [];
  fastify.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  return () => {
    const key = (r: RegisteredRoute) => `${r.method} ${r.url}`;
    const all = new Set(routes.map(key));
    const api = routes.filter(
      (r) => !NOT_API.test(r.url) && !(r.method === 'HEAD' && all.has(`GET ${r.url}`)),
    );
    return [...new Map(api.map((r) => [key(r), r])).values()].sort((a, b) => key(a).localeCompare(key(b)));
  };
}
