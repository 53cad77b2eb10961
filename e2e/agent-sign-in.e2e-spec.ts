import { ParleySystem, TEST_ADMIN_TOKEN, waitFor } from '@parley/testing';

const PASSWORD = 'correct horse battery staple';

/** The admin invites an agent; the agent sets a password through the invite, once, and signs in with it. */
describe('agent sign-in', () => {
  let system: ParleySystem;

  beforeAll(async () => {
    system = await ParleySystem.start();
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  });

  const invite = async (email: string, role?: string) => {
    const invited = await system.api('POST', '/v1/agents', {
      token: TEST_ADMIN_TOKEN,
      body: { name: 'Ada Lovelace', email, ...(role && { role }) },
      headers: { prefer: 'wait=10' },
    });
    expect(invited.status).toBe(201);
    return invited.body as { id: string; token: string; inviteToken: string; inviteExpiresAt: string };
  };
  const claimsOf = (token: string) =>
    JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
  const now = () => Date.now() / 1000;
  const accept = (token: string, password = PASSWORD) =>
    system.api('POST', '/v1/invites/accept', { body: { token, password } });
  const signIn = (email: string, password = PASSWORD, device = 'jest') =>
    system.api('POST', '/v1/sessions', { body: { email, password }, headers: { 'user-agent': device } });
  /** The refresh cookie an answer sets, as a browser would send it back. */
  const cookieOf = (res: { headers: Headers }) => {
    const [set] = res.headers.getSetCookie();
    expect(set).toMatch(
      /^parley_refresh=[^;]+; Max-Age=\d+; Path=\/v1\/sessions; HttpOnly; SameSite=Strict$/,
    );
    return set.split(';')[0];
  };
  const refresh = (cookie: string) => system.api('POST', '/v1/sessions/refresh', { headers: { cookie } });
  const signedInAgent = async (email: string) => {
    const invited = await invite(email);
    expect((await accept(invited.inviteToken)).status).toBe(200);
    return invited.id;
  };

  it('sets a password through the invite once and signs in with email and password', async () => {
    const ada = await invite('ada@example.com', 'supervisor');
    expect(Date.parse(ada.inviteExpiresAt)).toBeGreaterThan(Date.now());
    expect((await signIn('ada@example.com')).status).toBe(401);

    const set = await accept(ada.inviteToken);
    expect([set.status, set.body]).toEqual([200, { agentId: ada.id }]);
    expect((await accept(ada.inviteToken, 'another long password')).status).toBe(410);

    const session = await signIn('ADA@example.com');
    expect(session.status).toBe(201);
    expect(session.body).toMatchObject({
      agentId: ada.id,
      role: 'supervisor',
      expiresIn: expect.any(Number),
    });
    expect((await system.api('GET', '/v1/agents', { token: session.body.token })).status).toBe(200);
    const listed = await system.api('GET', '/v1/agents', { token: TEST_ADMIN_TOKEN });
    expect(listed.body.items).toContainEqual(
      expect.objectContaining({ id: ada.id, role: 'supervisor', signedUp: true }),
    );
  });

  it('an admin agent signs in as the admin: invites agents, and is refused conversations', async () => {
    const root = await invite('root@example.com', 'admin');
    expect((await accept(root.inviteToken)).status).toBe(200);
    const session = await signIn('root@example.com');
    expect(session.body.role).toBe('admin');
    const invited = await system.api('POST', '/v1/agents', {
      token: session.body.token,
      body: { name: 'Invited by an admin', email: 'invitee@example.com' },
    });
    expect(invited.status).toBe(202);
    expect((await system.api('GET', '/v1/queue', { token: session.body.token })).status).toBe(403);
  });

  it('refuses a wrong password, an unknown email, an unknown invite and a short password alike', async () => {
    const bob = await invite('bob@example.com');
    expect((await accept(bob.inviteToken, 'too short')).status).toBe(400);
    expect((await accept(`${bob.inviteToken}x`)).status).toBe(404);
    expect((await accept(bob.inviteToken)).status).toBe(200);

    const wrong = await signIn('bob@example.com', 'not the password at all');
    const unknown = await signIn('nobody@example.com');
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.body.detail).toBe(unknown.body.detail);
    expect((await system.api('POST', '/v1/sessions', { body: { email: 'bob@example.com' } })).status).toBe(
      400,
    );
  });

  it('refuses a second agent who would sign in with an email another already signs in with', async () => {
    const first = await invite('carol@example.com');
    const second = await invite('Carol@example.com');
    expect((await accept(first.inviteToken)).status).toBe(200);
    expect((await accept(second.inviteToken)).status).toBe(409);
  });

  it('answers an access token that expires 15 minutes after sign-in', async () => {
    await signedInAgent('gus@example.com');
    const before = Math.floor(Date.now() / 1000);
    const session = await signIn('gus@example.com');
    const after = Math.ceil(Date.now() / 1000);
    expect(session.status).toBe(201);
    const claims = claimsOf(session.body.token);
    expect(claims).toMatchObject({ sub: expect.any(String), aud: 'parley-api', iss: 'parley' });
    expect(claims.exp).toBeGreaterThanOrEqual(before + 15 * 60);
    expect(claims.exp).toBeLessThanOrEqual(after + 15 * 60);
    expect(session.body.expiresIn).toBe(15 * 60);
  });

  it('answers an API token with the invite that lives no longer than the events keep its revocation', async () => {
    const hal = await invite('hal@example.com');
    expect((await system.api('GET', '/v1/agents', { token: hal.token })).status).toBe(200);
    // PARLEY_TOKEN_TTL_SECONDS is 30 days; PARLEY_EVENT_RETENTION_DAYS, 7.
    expect(claimsOf(hal.token).exp).toBeLessThanOrEqual(now() + 7 * 24 * 3600);
  });

  it('renews the access token with a refresh cookie used once; signing out makes it useless', async () => {
    await signedInAgent('dora@example.com');
    const session = await signIn('dora@example.com');
    expect(session.body.expiresIn).toBe(900);
    const first = cookieOf(session);

    const renewed = await refresh(first);
    expect(renewed.status).toBe(200);
    const second = cookieOf(renewed);
    expect(second).not.toBe(first);
    expect((await system.api('GET', '/v1/agents', { token: renewed.body.token })).status).toBe(200);

    const signedOut = await system.api('DELETE', '/v1/sessions/current', { headers: { cookie: second } });
    expect(signedOut.status).toBe(204);
    expect(signedOut.headers.getSetCookie()[0]).toMatch(/^parley_refresh=;/);
    expect((await refresh(second)).status).toBe(401);
    expect((await refresh('parley_refresh=nonsense')).status).toBe(401);
    expect((await system.api('POST', '/v1/sessions/refresh')).status).toBe(401);
  });

  it('a replayed refresh token signs the agent out on every device and revokes their access tokens', async () => {
    await signedInAgent('eve@example.com');
    const laptop = await signIn('eve@example.com', PASSWORD, 'laptop');
    const phone = await signIn('eve@example.com', PASSWORD, 'phone');
    const stolen = cookieOf(laptop);
    const renewed = await refresh(stolen);
    expect(renewed.status).toBe(200);

    expect((await refresh(stolen)).status).toBe(401);

    expect((await refresh(cookieOf(renewed))).status).toBe(401);
    expect((await refresh(cookieOf(phone))).status).toBe(401);
    await waitFor(
      'the access tokens refused',
      async () =>
        (await system.api('GET', '/v1/agents', { token: renewed.body.token })).status === 401 &&
        (await system.api('GET', '/v1/agents', { token: phone.body.token })).status === 401,
      2_000,
      50,
    );
    // Signing in again works, with a token that is not revoked.
    const again = await signIn('eve@example.com');
    expect((await system.api('GET', '/v1/agents', { token: again.body.token })).status).toBe(200);
  });

  it('lists the devices where the agent is signed in and signs one out', async () => {
    await signedInAgent('finn@example.com');
    const laptop = await signIn('finn@example.com', PASSWORD, 'laptop');
    const phone = await signIn('finn@example.com', PASSWORD, 'phone');
    const list = (cookie: string) =>
      system.api('GET', '/v1/sessions', { token: laptop.body.token, headers: { cookie } });

    const devices = await list(cookieOf(laptop));
    expect(devices.status).toBe(200);
    expect(
      devices.body.map((d: { device: string; current: boolean }) => [d.device, d.current]).sort(),
    ).toEqual([
      ['laptop', true],
      ['phone', false],
    ]);
    const phoneId = devices.body.find((d: { device: string }) => d.device === 'phone').id;
    const ended = await system.api('DELETE', `/v1/sessions/${phoneId}`, { token: laptop.body.token });
    expect(ended.status).toBe(204);
    expect((await refresh(cookieOf(phone))).status).toBe(401);
    expect((await list(cookieOf(laptop))).body.map((d: { device: string }) => d.device)).toEqual(['laptop']);
  });
});
