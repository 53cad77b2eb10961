import { applyDecorators, Type } from '@nestjs/common';
import { ApiHeader, ApiResponse } from '@nestjs/swagger';

/**
 * The `Prefer: wait=N` header and the answer it can bring, documented on the writes that honour it
 * (see prefer-wait.ts).
 */
export const ApiPreferWait = (
  applied: Type<unknown>,
  description: string,
  status: 200 | 201 = 201,
): MethodDecorator =>
  applyDecorators(
    ApiHeader({
      name: 'prefer',
      required: false,
      example: 'wait=10',
      description: `wait=N (at most 30): answer once the owning service has applied the write, with ${status} and the result and \`Preference-Applied: wait=N\`, or with the problem if it refused it; if N seconds pass first, the usual 202`,
    }),
    ApiResponse({ status, type: applied, description }),
  );
