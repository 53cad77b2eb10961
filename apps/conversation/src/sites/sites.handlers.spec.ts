import { RegisterSite, RotateSiteSecret } from '@parley/contracts';
import { PermanentFailure } from '@parley/jetstream';
import { ACCEPTED_AT, appliedDirectly, InMemoryTables } from '../../test/in-memory-unit-of-work';
import { SitesHandlers } from './sites.handlers';

const handlers = new SitesHandlers(appliedDirectly);
const admin = { id: 'admin', role: 'admin' } as const;
const register: RegisterSite = {
  siteId: 'site-1',
  name: 'Shop',
  allowAnonymous: false,
  sealedSecret: 'sealed.v1.k1.first',
  issuedBy: admin,
  acceptedAt: ACCEPTED_AT,
};
const rotate = (siteId: string): RotateSiteSecret => ({
  siteId,
  sealedSecret: 'sealed.v1.k1.second',
  issuedBy: admin,
  acceptedAt: ACCEPTED_AT,
});

describe('SitesHandlers', () => {
  let tables: InMemoryTables;
  beforeEach(() => (tables = new InMemoryTables()));

  it('keeps a site registered again (a retry) as it was', async () => {
    await handlers.registerSite(tables.unitOfWork(), register);
    await handlers.rotateSecret(tables.unitOfWork(), rotate('site-1'));
    await handlers.registerSite(tables.unitOfWork(), register);

    expect(tables.sites.get('site-1')).toBe('sealed.v1.k1.second');
  });

  it('refuses for good to rotate the secret of a site that does not exist', async () => {
    await expect(handlers.rotateSecret(tables.unitOfWork(), rotate('nowhere'))).rejects.toBeInstanceOf(
      PermanentFailure,
    );
  });
});
