import { RotateSession, StartSession } from '@parley/contracts';
import {
  ACCEPTED_AT,
  agentIssuer,
  appliedDirectly,
  InMemoryTables,
  storedAgent,
} from '../../test/in-memory-unit-of-work';
import { SessionsHandlers } from './sessions.handlers';

const handlers = new SessionsHandlers(appliedDirectly);
const hash = (c: string) => c.repeat(64);
const command = { issuedBy: agentIssuer('ag-1'), acceptedAt: ACCEPTED_AT };
const start = (sessionId: string, refresh: string): StartSession => ({
  ...command,
  agentId: 'ag-1',
  sessionId,
  refreshHash: hash(refresh),
  device: 'Firefox',
});
const rotate = (presented: string, next: string): RotateSession => ({
  ...command,
  agentId: 'ag-1',
  sessionId: 'laptop',
  presentedHash: hash(presented),
  refreshHash: hash(next),
});

describe('SessionsHandlers', () => {
  let tables: InMemoryTables;
  beforeEach(async () => {
    tables = new InMemoryTables();
    storedAgent(tables, { id: 'ag-1' });
    await handlers.startSession(tables.unitOfWork(), start('laptop', 'a'));
    await handlers.startSession(tables.unitOfWork(), start('phone', 'p'));
  });

  it('rotates the refresh token, and a redelivered rotation changes nothing', async () => {
    expect(await handlers.rotateSession(tables.unitOfWork(), rotate('a', 'b'))).toEqual([]);
    expect(await handlers.rotateSession(tables.unitOfWork(), rotate('a', 'b'))).toEqual([]);
    expect(tables.sessions.get('laptop')).toMatchObject({
      refreshHash: hash('b'),
      replacedHashes: [hash('a')],
    });
  });

  it('a replaced refresh token presented again ends every session of the agent and revokes their tokens', async () => {
    await handlers.rotateSession(tables.unitOfWork(), rotate('a', 'b'));

    const events = await handlers.rotateSession(tables.unitOfWork(), rotate('a', 'c'));

    expect(events).toEqual([
      expect.objectContaining({ type: 'agent.tokens_revoked', data: { agentId: 'ag-1', tokenVersion: 1 } }),
    ]);
    expect([...tables.sessions.values()].map((s) => s.ended)).toEqual([true, true]);
    await expect(handlers.rotateSession(tables.unitOfWork(), rotate('b', 'd'))).rejects.toMatchObject({
      status: 401,
    });
  });

  it('refuses an unknown token, and any token of an ended session', async () => {
    await expect(handlers.rotateSession(tables.unitOfWork(), rotate('x', 'y'))).rejects.toMatchObject({
      status: 401,
    });
    await handlers.endSession(tables.unitOfWork(), { ...command, agentId: 'ag-1', sessionId: 'laptop' });
    await expect(handlers.rotateSession(tables.unitOfWork(), rotate('a', 'b'))).rejects.toMatchObject({
      status: 401,
    });
    expect(tables.sessions.get('phone')?.ended).toBe(false);
  });
});
