import type { Problem } from '@parley/client';

/** A failed API call, with the problem's `detail` as the message a person can act on. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The data of a successful openapi-fetch call; otherwise an ApiError carrying the problem's detail. */
export function ok<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data !== undefined && result.response.ok) return result.data;
  const problem = result.error as Partial<Problem> | undefined;
  const detail = problem?.detail ?? problem?.title ?? `The server answered ${result.response.status}.`;
  throw new ApiError(result.response.status, detail);
}

/** What to show a person for anything thrown by an API call. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return 'The network is unreachable. Check the connection and try again.';
  return 'Something went wrong. Try again.';
}
