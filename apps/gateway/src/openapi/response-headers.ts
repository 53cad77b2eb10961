import type { OpenAPIObject } from '@nestjs/swagger';

type Operation = { parameters?: Array<{ name: string; in: string }>; responses: Record<string, Response> };
type Response = { headers?: Record<string, { $ref: string }> };

/** The headers the gateway sets on its answers: the rate limiter's, `Retry-After`, `Preference-Applied`. */
export const RESPONSE_HEADERS = {
  'X-RateLimit-Limit': {
    description: 'Requests allowed a minute to this bearer token (or address, without one)',
    required: true,
    schema: { type: 'integer', example: 6000 },
  },
  'X-RateLimit-Remaining': {
    description: 'Requests left in the current minute',
    required: true,
    schema: { type: 'integer', example: 5998 },
  },
  'X-RateLimit-Reset': {
    description: 'Seconds until the current minute’s budget starts again',
    required: true,
    schema: { type: 'integer', example: 42 },
  },
  'Retry-After': {
    description: 'Seconds to wait before trying again',
    required: true,
    schema: { type: 'integer', example: 1 },
  },
  'Preference-Applied': {
    description: 'The `Prefer: wait=N` that was honoured: the owning service applied the write',
    required: true,
    schema: { type: 'string', example: 'wait=10' },
  },
};

const header = (name: keyof typeof RESPONSE_HEADERS) => ({ $ref: `#/components/headers/${name}` });

/**
 * Describes the headers on every answer of the document's operations: the rate limiter's on all of
 * them, `Retry-After` on 429 and 503, and `Preference-Applied` on the answers a `Prefer: wait` can
 * bring (the 200 or 201 of an operation that reads `prefer`).
 */
export function describeResponseHeaders(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item) as Operation[]) {
      const honoursPrefer = operation.parameters?.some((p) => p.in === 'header' && p.name === 'prefer');
      for (const [status, response] of Object.entries(operation.responses)) {
        const headers: Record<string, { $ref: string }> = {
          'X-RateLimit-Limit': header('X-RateLimit-Limit'),
          'X-RateLimit-Remaining': header('X-RateLimit-Remaining'),
          'X-RateLimit-Reset': header('X-RateLimit-Reset'),
        };
        if (status === '429' || status === '503') headers['Retry-After'] = header('Retry-After');
        if (honoursPrefer && (status === '200' || status === '201'))
          headers['Preference-Applied'] = header('Preference-Applied');
        response.headers = { ...response.headers, ...headers };
      }
    }
  }
  document.components = { ...document.components, headers: RESPONSE_HEADERS };
}
