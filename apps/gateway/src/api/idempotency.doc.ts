import { ApiHeader } from '@nestjs/swagger';

/**
 * The Idempotency-Key header, documented on exactly the POSTs that read it (see ids.ts). Named as the
 * handlers' `@Headers('idempotency-key')` parameter, which @nestjs/swagger merges into this one by
 * exact name; otherwise it would document that parameter a second time, and as required.
 */
export const ApiIdempotencyKey = (): MethodDecorator & ClassDecorator =>
  ApiHeader({
    name: 'idempotency-key',
    required: false,
    example: 'reply-1234-2026-11-25',
    description:
      'A retry with the same key (1 to 255 visible ASCII characters) from the same caller returns the same ids and creates nothing new',
  });
