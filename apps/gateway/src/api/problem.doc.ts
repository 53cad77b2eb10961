import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';

class FieldErrorDoc {
  @ApiProperty({ example: 'body' }) field: string;
  @ApiProperty({ example: 'body must be longer than or equal to 1 characters' }) message: string;
}

export class ProblemDoc {
  @ApiProperty({ example: 'https://parley.dev/problems/bad-request' }) type: string;
  @ApiProperty({ example: 'Bad request' }) title: string;
  @ApiProperty({ example: 400 }) status: number;
  @ApiProperty({ example: 'The request is not valid.' }) detail: string;
  @ApiPropertyOptional({ type: [FieldErrorDoc] }) errors?: FieldErrorDoc[];
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input (unknown fields are rejected); `errors` names each field',
  401: 'No valid bearer token',
  403: 'The role may not do this',
  404: 'Unknown id, or a conversation that is not yours',
  409: 'Conflicts with what exists (another agent signs in with this email; an erasure request decided otherwise)',
  410: 'Used up, expired or erased (an invite; a conversation or customer that was erased; an attachment its site’s retention deleted)',
  411: 'An upload without Content-Length',
  413: 'Body over 1 MiB',
  422: 'Well-formed but refers to something that cannot be used (an unknown agent, a seq beyond the last)',
  429: 'Too many requests from this token (or address, without one); retry after `Retry-After` seconds',
  503: 'The broker or the owning service is unreachable; retry after `Retry-After` seconds',
};

/**
 * The problem+json answers an endpoint can give, in the OpenAPI document; 429 on every one, as
 * every `/v1` route is rate-limited.
 */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...[...new Set([...statuses, 429])].map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status],
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDoc' } } },
      }),
    ),
  );
}
