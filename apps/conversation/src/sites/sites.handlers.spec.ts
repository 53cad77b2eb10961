import {
  ConfigureSite,
  RegisterSite,
  RotateSiteSecret,
  SetAnonymousVisitors,
  SITE_SETTINGS_DEFAULTS,
} from '@parley/contracts';
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

    expect(tables.sites.get('site-1')).toEqual({
      sealedSecret: 'sealed.v1.k1.second',
      allowAnonymous: false,
    });
  });

  it('lets anonymous visitors in, and out again', async () => {
    const anonymous = (allowAnonymous: boolean): SetAnonymousVisitors => ({
      siteId: 'site-1',
      allowAnonymous,
      issuedBy: admin,
      acceptedAt: ACCEPTED_AT,
    });
    await handlers.registerSite(tables.unitOfWork(), register);
    await handlers.setAnonymousVisitors(tables.unitOfWork(), anonymous(true));
    expect(tables.sites.get('site-1')?.allowAnonymous).toBe(true);
    await handlers.setAnonymousVisitors(tables.unitOfWork(), anonymous(false));
    expect(tables.sites.get('site-1')?.allowAnonymous).toBe(false);
  });

  it('refuses for good to change a site that does not exist', async () => {
    await expect(handlers.rotateSecret(tables.unitOfWork(), rotate('nowhere'))).rejects.toBeInstanceOf(
      PermanentFailure,
    );
    const anonymous = { siteId: 'nowhere', allowAnonymous: true, issuedBy: admin, acceptedAt: ACCEPTED_AT };
    await expect(handlers.setAnonymousVisitors(tables.unitOfWork(), anonymous)).rejects.toBeInstanceOf(
      PermanentFailure,
    );
  });

  it('announces a new site with the default settings, and each configuration with all of them', async () => {
    const registered = await handlers.registerSite(tables.unitOfWork(), register);
    expect(registered).toEqual([
      {
        id: 'site.configured:site-1',
        type: 'site.configured',
        occurredAt: ACCEPTED_AT,
        data: {
          siteId: 'site-1',
          name: 'Shop',
          ...SITE_SETTINGS_DEFAULTS,
        },
      },
    ]);
    expect(await handlers.registerSite(tables.unitOfWork(), register)).toEqual([]);

    const settings = {
      siteId: 'site-1',
      timeZone: 'Europe/Berlin',
      hours: [{ day: 1, opens: '09:00', closes: '17:00' }],
      holidays: ['2026-12-24'],
      expectedReplyMinutes: 30,
      notifyDelaySeconds: 60,
      autoReply: 'Back soon.',
      conversationUrl: 'https://shop.example/help?c={conversationId}',
    };
    const configure: ConfigureSite = { ...settings, issuedBy: admin, acceptedAt: ACCEPTED_AT };
    const [configured] = await handlers.configure(tables.unitOfWork(), configure, '42');
    expect(configured).toEqual({
      id: 'site.configured:site-1:42',
      type: 'site.configured',
      occurredAt: ACCEPTED_AT,
      data: { ...settings, name: 'Shop' },
    });
    await expect(
      handlers.configure(tables.unitOfWork(), { ...configure, siteId: 'nowhere' }, '43'),
    ).rejects.toBeInstanceOf(PermanentFailure);
  });
});
