import { BadRequestException } from '@nestjs/common';
import { v5 as uuidv5, v7 as uuidv7 } from 'uuid';
import type { Principal } from '@parley/contracts';

const IDEMPOTENCY_NAMESPACE = '6f1c2a52-8d0e-4f7b-9a43-1f5b6c7d8e90';
const CUSTOMER_NAMESPACE = '0b7e4c1d-3a2f-4e5b-8c6d-9e0f1a2b3c4d';

/**
 * The ids a write creates. With an Idempotency-Key they are derived from (principal, route, key),
 * so a retry gets the same ids and the same Nats-Msg-Id even when nothing was processed yet and
 * nothing is stored at the gateway; without one they are fresh, time-ordered UUIDs.
 */
export class IdAllocator {
  private next = 0;

  constructor(
    private readonly principal: Principal,
    private readonly route: string,
    private readonly key: string | undefined,
  ) {}

  allocate(): string {
    const slot = this.next++;
    return this.key
      ? uuidv5(`${this.principal.id}\n${this.route}\n${this.key}\n${slot}`, IDEMPOTENCY_NAMESPACE)
      : uuidv7();
  }
}

export function idempotencyKey(raw: string | string[] | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const key = Array.isArray(raw) ? raw[0] : raw;
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw new BadRequestException('Idempotency-Key must be 1 to 255 visible ASCII characters.');
  }
  return key;
}

/** The same externalId always maps to the same customer id. */
export function customerIdFor(externalId: string): string {
  return uuidv5(externalId, CUSTOMER_NAMESPACE);
}
