import { BadRequestException } from '@nestjs/common';
import { customerIdFor, IdAllocator, idempotencyKey } from './ids';

const customer = { id: 'cu-1', role: 'customer' as const };

describe('IdAllocator', () => {
  it('derives the same ids from the same principal, route and key', () => {
    const a = new IdAllocator(customer, 'POST /v1/conversations', 'k1');
    const b = new IdAllocator(customer, 'POST /v1/conversations', 'k1');
    expect([a.allocate(), a.allocate()]).toEqual([b.allocate(), b.allocate()]);
  });

  it('gives different ids to another principal, route or key', () => {
    const base = new IdAllocator(customer, 'POST /v1/conversations', 'k1').allocate();
    expect(
      new IdAllocator({ id: 'cu-2', role: 'customer' }, 'POST /v1/conversations', 'k1').allocate(),
    ).not.toBe(base);
    expect(new IdAllocator(customer, 'POST /v1/agents', 'k1').allocate()).not.toBe(base);
    expect(new IdAllocator(customer, 'POST /v1/conversations', 'k2').allocate()).not.toBe(base);
  });

  it('gives fresh ids without a key', () => {
    const ids = new IdAllocator(customer, 'POST /v1/conversations', undefined);
    expect(ids.allocate()).not.toBe(ids.allocate());
  });
});

describe('idempotencyKey', () => {
  it.each(['', 'a b', 'x'.repeat(256), 'ключ'])('rejects %p', (key) => {
    expect(() => idempotencyKey(key)).toThrow(BadRequestException);
  });

  it('accepts a visible ASCII key', () => {
    expect(idempotencyKey('order-42:retry')).toBe('order-42:retry');
  });
});

describe('customerIdFor', () => {
  it('maps an externalId to one stable id', () => {
    expect(customerIdFor('crm-1')).toBe(customerIdFor('crm-1'));
    expect(customerIdFor('crm-1')).not.toBe(customerIdFor('crm-2'));
  });
});
