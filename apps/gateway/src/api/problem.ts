import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { BrokerUnavailable, ContentErased, QueryRejected } from '@parley/jetstream';
import type { FastifyReply } from 'fastify';

export interface FieldError {
  field: string;
  message: string;
}

/** RFC 9457 problem details, the body of every error the API returns. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
}

export class InvalidRequest extends HttpException {
  constructor(readonly errors: FieldError[]) {
    super('The request is not valid.', HttpStatus.BAD_REQUEST);
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  406: 'Not acceptable',
  409: 'Conflict',
  411: 'Length required',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

export const RETRY_AFTER_SECONDS = 5;

function problem(
  status: number,
  detail: string,
  errors?: FieldError[],
  title = TITLES[status] ?? 'Error',
): Problem {
  const slug = title.toLowerCase().replace(/[^a-z]+/g, '-');
  return {
    type: `https://parley.dev/problems/${slug}`,
    title,
    status,
    detail,
    ...(errors ? { errors } : {}),
  };
}

/** Maps anything thrown while serving a request to problem+json; only the unexpected is a 500. */
export function toProblem(error: unknown, log: Logger): Problem {
  if (error instanceof InvalidRequest) return problem(400, 'The request is not valid.', error.errors);
  if (error instanceof HttpException) {
    const response = error.getResponse();
    const detail =
      typeof response === 'string'
        ? response
        : ((response as { message?: unknown }).message ?? error.message);
    return problem(error.getStatus(), Array.isArray(detail) ? detail.join('; ') : String(detail));
  }
  if (error instanceof BrokerUnavailable) {
    log.warn(error.message);
    return problem(503, 'The service that owns this is not reachable right now; retry shortly.');
  }
  if (error instanceof QueryRejected) return problem(error.status, error.message, undefined, error.title);
  // Its content key was destroyed: nothing may be said in an erased conversation any more.
  if (error instanceof ContentErased) return problem(410, `This ${error.scope.kind} was erased.`);
  const fastifyError = error as { statusCode?: number; code?: string; message?: string };
  if (
    typeof fastifyError.statusCode === 'number' &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500
  ) {
    // Fastify's own rejections: malformed JSON, oversized or unsupported bodies.
    const detail =
      fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? 'The request body is too large.'
        : fastifyError.message;
    return problem(fastifyError.statusCode, detail ?? 'The request could not be read.');
  }
  log.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return problem(500, 'Something went wrong on our side.');
}

export function sendProblem(reply: FastifyReply, p: Problem): void {
  if ((p.status === 503 || p.status === 429) && !reply.hasHeader('retry-after')) {
    void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  }
  void reply.status(p.status).type('application/problem+json').send(p);
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly log = new Logger('Problem');

  catch(error: unknown, host: ArgumentsHost): void {
    sendProblem(host.switchToHttp().getResponse<FastifyReply>(), toProblem(error, this.log));
  }
}
