import { RegisterAgent, SetAgentPassword, SetPresence } from '@parley/contracts';
import {
  ACCEPTED_AT,
  agentIssuer,
  appliedDirectly,
  InMemoryTables,
  storedAgent,
  storedConversation,
  summaryOf,
} from '../../test/in-memory-unit-of-work';
import { Assignment } from '../assignment/assignment';
import { PeopleHandlers } from './people.handlers';

const handlers = new PeopleHandlers(appliedDirectly, new Assignment());
const INVITE = 'a'.repeat(64);
const register = (agentId: string, email: string, inviteHash = INVITE): RegisterAgent => ({
  agentId,
  name: 'Ada',
  email,
  teams: ['billing'],
  capacity: 3,
  role: 'agent',
  inviteHash,
  inviteExpiresAt: '2026-12-08T12:00:00.000Z',
  issuedBy: { id: 'admin', role: 'admin' },
  acceptedAt: ACCEPTED_AT,
});
const setPassword = (agentId: string, inviteHash = INVITE, acceptedAt = ACCEPTED_AT): SetAgentPassword => ({
  agentId,
  inviteHash,
  passwordHash: '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA',
  issuedBy: agentIssuer(agentId),
  acceptedAt,
});
const presence = (status: SetPresence['status']): SetPresence => ({
  agentId: 'ag-1',
  status,
  issuedBy: agentIssuer('ag-1'),
  acceptedAt: ACCEPTED_AT,
});

describe('PeopleHandlers', () => {
  let tables: InMemoryTables;
  beforeEach(() => (tables = new InMemoryTables()));

  it('announces an agent once, however often the registration comes', async () => {
    const first = await handlers.registerAgent(tables.unitOfWork(), register('ag-1', 'ada@example.com'));
    const again = await handlers.registerAgent(tables.unitOfWork(), register('ag-1', 'ada@example.com'));

    expect(first).toEqual([
      expect.objectContaining({
        id: 'agent.registered:ag-1',
        occurredAt: ACCEPTED_AT,
        data: expect.objectContaining({ capacity: 3 }),
      }),
    ]);
    expect(again).toEqual([]);
    expect(tables.agents.get('ag-1')?.presence).toBe('offline');
  });

  it('an agent coming online takes work from the queue at once', async () => {
    storedAgent(tables, { id: 'ag-1', presence: 'offline' });
    storedConversation(tables, { id: 'waiting' });

    const events = await handlers.setPresence(tables.unitOfWork(), presence('online'), '42');

    expect(summaryOf(events)).toEqual(['agent.presence_changed', 'conversation.assigned waiting']);
    expect(events[0]).toMatchObject({
      id: 'agent.presence_changed:ag-1:42',
      data: { agentId: 'ag-1', status: 'online' },
    });
  });

  it('an agent going away takes nothing, and the same presence again announces nothing', async () => {
    storedAgent(tables, { id: 'ag-1' });
    storedConversation(tables, { id: 'waiting' });

    expect(summaryOf(await handlers.setPresence(tables.unitOfWork(), presence('away'), '42'))).toEqual([
      'agent.presence_changed',
    ]);
    expect(await handlers.setPresence(tables.unitOfWork(), presence('away'), '43')).toEqual([]);
    expect(tables.conversation('waiting').assigneeId).toBeNull();
  });

  it('sets a password through the invite once, and refuses a used, expired, foreign or unknown invite', async () => {
    await handlers.registerAgent(tables.unitOfWork(), register('ag-1', 'ada@example.com'));
    await handlers.registerAgent(tables.unitOfWork(), register('ag-2', 'bob@example.com', 'b'.repeat(64)));

    await expect(handlers.setAgentPassword(tables.unitOfWork(), setPassword('ag-2'))).rejects.toMatchObject({
      status: 404,
    });
    await expect(
      handlers.setAgentPassword(tables.unitOfWork(), setPassword('ag-1', INVITE, '2026-12-08T12:00:00.000Z')),
    ).rejects.toMatchObject({ status: 410 });
    expect(await handlers.setAgentPassword(tables.unitOfWork(), setPassword('ag-1'))).toEqual([]);
    expect(tables.agents.get('ag-1')?.passwordHash).toMatch(/^\$argon2id\$/);
    await expect(handlers.setAgentPassword(tables.unitOfWork(), setPassword('ag-1'))).rejects.toMatchObject({
      status: 410,
    });
    await expect(
      handlers.setAgentPassword(tables.unitOfWork(), setPassword('ag-1', 'c'.repeat(64))),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('refuses a password for a second agent who signs in with the same email', async () => {
    await handlers.registerAgent(tables.unitOfWork(), register('ag-1', 'ada@example.com'));
    await handlers.registerAgent(tables.unitOfWork(), register('ag-2', 'ADA@example.com', 'b'.repeat(64)));
    await handlers.setAgentPassword(tables.unitOfWork(), setPassword('ag-1'));

    await expect(
      handlers.setAgentPassword(tables.unitOfWork(), setPassword('ag-2', 'b'.repeat(64))),
    ).rejects.toMatchObject({ status: 409 });
  });

  it('deactivating an agent revokes their tokens, takes them offline and gives their conversations to others', async () => {
    storedAgent(tables, { id: 'ag-1' });
    storedAgent(tables, { id: 'ag-2' });
    storedConversation(tables, { id: 'theirs', assigneeId: 'ag-1' });
    storedConversation(tables, { id: 'done', assigneeId: 'ag-1', status: 'resolved' });
    const deactivate = {
      agentId: 'ag-1',
      issuedBy: { id: 'admin', role: 'admin' as const },
      acceptedAt: ACCEPTED_AT,
    };

    const events = await handlers.deactivateAgent(tables.unitOfWork(), deactivate, '42');

    expect(summaryOf(events)).toEqual([
      'agent.tokens_revoked',
      'agent.presence_changed',
      'conversation.assigned theirs',
      'conversation.assigned theirs',
    ]);
    expect(events[0].data).toEqual({ agentId: 'ag-1', tokenVersion: 1 });
    expect(tables.conversation('theirs').assigneeId).toBe('ag-2');
    expect(tables.conversation('done').assigneeId).toBe('ag-1');
    expect(tables.agents.get('ag-1')).toMatchObject({ active: false, presence: 'offline' });
    expect(await handlers.deactivateAgent(tables.unitOfWork(), deactivate, '43')).toEqual([]);
  });

  it('resetting a password clears it, revokes the tokens and gives a new invite', async () => {
    await handlers.registerAgent(tables.unitOfWork(), register('ag-1', 'ada@example.com'));
    await handlers.setAgentPassword(tables.unitOfWork(), setPassword('ag-1'));
    const reset = {
      agentId: 'ag-1',
      inviteHash: 'd'.repeat(64),
      inviteExpiresAt: '2026-12-08T12:00:00.000Z',
    };

    const events = await handlers.resetAgentPassword(tables.unitOfWork(), {
      ...reset,
      issuedBy: { id: 'admin', role: 'admin' },
      acceptedAt: ACCEPTED_AT,
    });

    expect(events).toEqual([expect.objectContaining({ data: { agentId: 'ag-1', tokenVersion: 1 } })]);
    expect(tables.agents.get('ag-1')?.passwordHash).toBeNull();
    expect(await handlers.setAgentPassword(tables.unitOfWork(), setPassword('ag-1', 'd'.repeat(64)))).toEqual(
      [],
    );
  });
});
