import { ParleySystem, TEST_ADMIN_TOKEN } from '@parley/testing';

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
    return invited.body as { id: string; inviteToken: string; inviteExpiresAt: string };
  };
  const accept = (token: string, password = PASSWORD) =>
    system.api('POST', '/v1/invites/accept', { body: { token, password } });
  const signIn = (email: string, password = PASSWORD) =>
    system.api('POST', '/v1/sessions', { body: { email, password } });

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
});
