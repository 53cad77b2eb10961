import { PermanentFailure } from '@parley/jetstream';
import { RegisterCustomer, UpdateCustomer } from '@parley/contracts';
import { ACCEPTED_AT, appliedDirectly, InMemoryTables } from '../../test/in-memory-unit-of-work';
import { Assignment } from '../assignment/assignment';
import { PeopleHandlers } from './people.handlers';

const handlers = new PeopleHandlers(appliedDirectly, new Assignment());
const admin = { id: 'admin', role: 'admin' as const };
const registration = (timeZone?: string): RegisterCustomer => ({
  customerId: 'cu-1',
  externalId: 'crm-1',
  name: 'Grace',
  timeZone,
  issuedBy: admin,
  acceptedAt: ACCEPTED_AT,
});
const update = (changes: Partial<UpdateCustomer>): UpdateCustomer => ({
  customerId: 'cu-1',
  ...changes,
  issuedBy: admin,
  acceptedAt: ACCEPTED_AT,
});

describe('a customer card', () => {
  let tables: InMemoryTables;
  beforeEach(async () => {
    tables = new InMemoryTables();
    await handlers.registerCustomer(tables.unitOfWork(), registration(), 'c0');
  });

  it('merges attributes as Intercom does: names given are set, null removes one, the rest stay', async () => {
    await handlers.updateCustomer(
      tables.unitOfWork(),
      update({ attributes: { plan: 'pro', orders: 3 } }),
      'c1',
    );
    const events = await handlers.updateCustomer(
      tables.unitOfWork(),
      update({ attributes: { orders: 4, plan: null, vip: true } }),
      'c2',
    );

    expect(events).toEqual([
      expect.objectContaining({
        id: 'customer.updated:cu-1:c2',
        customerId: 'cu-1',
        data: { customerId: 'cu-1', attributes: { orders: 4, vip: true }, timeZone: null },
      }),
    ]);
    expect(tables.customers.get('cu-1')?.attributes).toEqual({ orders: 4, vip: true });
  });

  it('sets, keeps and forgets the time zone, and announces nothing when nothing changes', async () => {
    await handlers.updateCustomer(tables.unitOfWork(), update({ timeZone: 'Europe/Berlin' }), 'c1');
    expect(await handlers.updateCustomer(tables.unitOfWork(), update({ attributes: {} }), 'c2')).toEqual([]);
    expect(tables.customers.get('cu-1')?.timeZone).toBe('Europe/Berlin');

    await handlers.updateCustomer(tables.unitOfWork(), update({ timeZone: null }), 'c3');
    expect(tables.customers.get('cu-1')?.timeZone).toBeNull();
  });

  it("keeps the zone a site's identity token gave at registration", async () => {
    const events = await handlers.registerCustomer(tables.unitOfWork(), registration('Asia/Tokyo'), 'c1');

    expect(events[0].data.timeZone).toBe('Asia/Tokyo');
    expect(tables.customers.get('cu-1')?.timeZone).toBe('Asia/Tokyo');
  });

  it('refuses more than 50 attributes after the merge, and an unknown customer', async () => {
    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`a${i}`, i]));
    await handlers.updateCustomer(tables.unitOfWork(), update({ attributes: fifty }), 'c1');

    await expect(
      handlers.updateCustomer(tables.unitOfWork(), update({ attributes: { one_more: 1 } }), 'c2'),
    ).rejects.toEqual(expect.objectContaining({ status: 422 }));
    await expect(
      handlers.updateCustomer(tables.unitOfWork(), update({ customerId: 'cu-2', timeZone: 'UTC' }), 'c3'),
    ).rejects.toBeInstanceOf(PermanentFailure);
    expect(Object.keys(tables.customers.get('cu-1')?.attributes ?? {})).toHaveLength(50);
  });
});
