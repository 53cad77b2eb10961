import { DomainEvent, Issuer, PostMessage } from '@parley/contracts';
import { plainToInstance } from 'class-transformer';
import { decodePayload, UndecodablePayload } from './payload';

const bytes = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
const event = {
  id: 'message.created:m-1',
  type: 'message.created',
  conversationId: 'c-1',
  occurredAt: '2026-12-01T09:30:00.000Z',
  data: { messageId: 'm-1', seq: 3, body: 'Hello' },
};

describe('decodePayload', () => {
  it('gives an event as a DomainEvent with its data untouched and unknown envelope fields dropped', async () => {
    const decoded = await decodePayload(
      bytes({ ...event, smuggled: true }),
      'parley.evt.message.created',
      DomainEvent,
    );
    expect(decoded).toBeInstanceOf(DomainEvent);
    expect(decoded).toEqual({ ...event });
    expect(decoded).not.toHaveProperty('smuggled');
  });

  it('refuses an event whose envelope is wrong, naming the field', async () => {
    const { occurredAt: _dropped, ...withoutTime } = event;
    await expect(
      decodePayload(bytes(withoutTime), 'parley.evt.message.created', DomainEvent),
    ).rejects.toThrow(/invalid DomainEvent: occurredAt/);
    await expect(
      decodePayload(bytes({ ...event, data: 'not an object' }), 'parley.evt.message.created', DomainEvent),
    ).rejects.toThrow(/data: data must be an object/);
  });

  it('checks a command through its nested classes', async () => {
    const command = {
      conversationId: 'c-1',
      messageId: 'm-1',
      body: 'Hello',
      issuedBy: { id: 'u-1', role: 'customer' },
      acceptedAt: '2026-12-01T09:30:00.000Z',
    };
    await expect(
      decodePayload(bytes(command), 'parley.cmd.conversation.message.post', PostMessage),
    ).resolves.toBeInstanceOf(PostMessage);
    await expect(
      decodePayload(
        bytes({ ...command, issuedBy: { id: 'u-1', role: 'root' } }),
        'parley.cmd.conversation.message.post',
        PostMessage,
      ),
    ).rejects.toThrow(/issuedBy\.role/);
  });

  it('builds a command as class-transformer would: its issuer an Issuer, unknown fields dropped at both levels', async () => {
    const command = {
      conversationId: 'c-1',
      messageId: 'm-1',
      body: 'Hello',
      issuedBy: { id: 'u-1', role: 'customer', smuggled: 1 },
      acceptedAt: '2026-12-01T09:30:00.000Z',
      smuggled: 2,
    };
    const decoded = await decodePayload(bytes(command), 'parley.cmd.conversation.message.post', PostMessage);
    const { smuggled: _outer, ...expected } = command;
    expect(decoded).toEqual(
      plainToInstance(PostMessage, { ...expected, issuedBy: { id: 'u-1', role: 'customer' } }),
    );
    expect((decoded as PostMessage).issuedBy).toBeInstanceOf(Issuer);
    await expect(
      decodePayload(
        bytes({ ...command, issuedBy: 'u-1' }),
        'parley.cmd.conversation.message.post',
        PostMessage,
      ),
    ).rejects.toThrow(/issuedBy/);
  });

  it('refuses a __proto__ key instead of letting it replace the prototype', async () => {
    const raw =
      '{"__proto__": {"x": 1}, "id": "e", "type": "t", "occurredAt": "2026-12-01T09:30:00.000Z", "data": {}}';
    await expect(decodePayload(bytes(raw), 'parley.evt.t', DomainEvent)).rejects.toThrow(/__proto__/);
    const command =
      '{"conversationId": "c-1", "messageId": "m-1", "body": "Hi", "acceptedAt": "2026-12-01T09:30:00.000Z",' +
      ' "issuedBy": {"__proto__": {}, "id": "u-1", "role": "customer"}}';
    await expect(
      decodePayload(bytes(command), 'parley.cmd.conversation.message.post', PostMessage),
    ).rejects.toThrow(/__proto__/);
  });

  it('refuses what is not a JSON object', async () => {
    await expect(decodePayload(bytes('{nope'), 's', DomainEvent)).rejects.toThrow(UndecodablePayload);
    await expect(decodePayload(bytes('[1]'), 's', DomainEvent)).rejects.toThrow(/not a JSON object/);
  });
});
