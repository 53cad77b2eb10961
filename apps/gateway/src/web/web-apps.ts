import fastifyStatic from '@fastify/static';
import type { Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The browser apps, built by `npm run build` (Vite) into dist/apps/<name> beside the gateway's own
 * dist/apps/gateway, and packed beside it in the image by tools/pack-app.mjs.
 */
export const WEB_APPS = ['console', 'widget'] as const;
export type WebApp = (typeof WEB_APPS)[number];

const BUILDS = resolve(__dirname, '..', '..', '..');

export interface WebAppOptions {
  /** CSP `frame-ancestors` of the widget's page: which sites may embed it in a frame. */
  widgetFrameAncestors: string;
}

/**
 * Serves each built app at `/<name>/`: its hashed assets cached for a year, and index.html, never
 * cached, for every other path below it, so that the app's own routes survive a reload.
 * Registered next to the API, not in it (no /v1 prefix, no OpenAPI entry, see route-table.ts).
 */
export async function serveWebApps(
  fastify: FastifyInstance,
  options: WebAppOptions,
  log: Logger,
): Promise<void> {
  for (const app of WEB_APPS) {
    const root = join(BUILDS, app);
    const indexFile = join(root, 'index.html');
    if (!existsSync(indexFile)) {
      log.warn(`/${app} is not served: ${indexFile} is missing (npm run build builds it)`);
      continue;
    }
    const index = readFileSync(indexFile);
    await fastify.register(fastifyStatic, {
      root,
      prefix: `/${app}/`,
      // One route per built file, so that the fallback below answers everything else.
      wildcard: false,
      globIgnore: ['index.html'],
      decorateReply: false,
      index: false,
      dotfiles: 'ignore',
      cacheControl: false,
      setHeaders: (reply, path) => {
        reply.header(
          'cache-control',
          /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    });
    const page = (request: { url: string }, reply: FastifyReply) => {
      // A missing file (a stale asset name, a typo) is a 404, not the app's page with status 200.
      const last = request.url.split('?')[0].split('/').pop() ?? '';
      if (last.includes('.')) return reply.callNotFound();
      if (app === 'widget') {
        // The widget lives in a frame on the business's own site; helmet's default allows only 'self'.
        const csp = reply.getHeader('content-security-policy');
        if (typeof csp === 'string') {
          reply.header(
            'content-security-policy',
            csp.replace(/frame-ancestors [^;]*/, `frame-ancestors ${options.widgetFrameAncestors}`),
          );
        }
        // Helmet writes straight to the raw response, which reply.removeHeader does not touch.
        reply.raw.removeHeader('x-frame-options');
      }
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(index);
    };
    fastify.get(`/${app}`, (_request, reply) => reply.redirect(`/${app}/`));
    fastify.get(`/${app}/`, page);
    fastify.get(`/${app}/*`, page);
  }
}
