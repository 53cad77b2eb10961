/**
 * Content sealing end to end through the transport, against a real nats-server: what the publisher
 * stores holds no customer content in clear, handlers see it plain, dead letters keep it sealed,
 * and once a scope's key is destroyed its messages are acked unhandled and can never be opened.
 */
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { Controller, INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Payload } from '@nestjs/microservices';
import { jetstreamManager, JetStreamManager, StoredMsg } from '@nats-io/jetstream';
import { NatsConnection } from '@nats-io/nats-core';
import {
  AddNote,
  DEFAULT_PARTITIONS,
  DomainEvent,
  EventTypes,
  eventSubject,
  parleyStreams,
  PostMessage,
  RateConversation,
  RegisterCustomer,
  StreamNames,
} from '@parley/contracts';
import { SecretBox } from '@parley/secrets';
import { startNats, TestNats, waitFor } from '@parley/testing';
import {
  connectToNats,
  ContentErased,
  ContentKeyStore,
  ContentSeal,
  ensureConsumer,
  ensureContentKeyBucket,
  ensureStream,
  HandleCommand,
  HandleEvent,
  JetStreamPublisher,
  JetStreamServer,
  SEALED_CONTENT_HEADER,
} from '../src';

const BUCKET = 'test-sealed-content-keys';
const keyRing = () => SecretBox.fromKeyRing(`k1:${KEY}`, 'PARLEY_CONTENT_KEY');
const KEY = randomBytes(32).toString('base64');
const issuedBy = { id: 'agent-1', role: 'agent' as const };
const acceptedAt = new Date().toISOString();

/** What the handlers were given, as they were given it. */
const seen: unknown[] = [];

@Controller()
class ContentController {
  @HandleCommand(PostMessage)
  post(@Payload() command: PostMessage) {
    seen.push(command);
  }

  @HandleCommand(AddNote)
  note(@Payload() command: AddNote) {
    seen.push(command);
  }

  @HandleCommand(RegisterCustomer)
  register(@Payload() command: RegisterCustomer) {
    seen.push(command);
  }

  @HandleCommand(RateConversation)
  rate(@Payload() command: RateConversation) {
    seen.push(command);
  }

  @HandleEvent(EventTypes.messageCreated, EventTypes.customerRegistered)
  event(@Payload() event: DomainEvent) {
    seen.push(event);
  }
}

@Module({ controllers: [ContentController] })
class ContentModule {}

describe('sealed content through the transport', () => {
  let nats: TestNats;
  let publisherNc: NatsConnection;
  let consumerNc: NatsConnection;
  let jsm: JetStreamManager;
  let publisherKeys: ContentKeyStore;
  let consumerKeys: ContentKeyStore;
  let publisher: JetStreamPublisher;
  const erased: string[] = [];
  const apps: INestMicroservice[] = [];

  const consumer = (durable: string, stream: string, filterSubject: string) => ({
    stream,
    durable,
    filterSubject,
    maxDeliver: 1,
  });

  async function consume(durable: string, stream: string, filterSubject: string): Promise<void> {
    const def = consumer(durable, stream, filterSubject);
    await ensureConsumer(jsm, def);
    const transport = new JetStreamServer(consumerNc, {
      consumers: [def],
      queryQueue: 'content-test',
      content: new ContentSeal(consumerKeys),
    });
    transport.observer = {
      handled: () => undefined,
      failed: () => undefined,
      redelivered: () => undefined,
      erased: (_, subject) => erased.push(subject),
    };
    const app = await NestFactory.createMicroservice(ContentModule, { strategy: transport, logger: false });
    await app.listen();
    apps.push(app);
  }

  async function storedMessages(stream: string): Promise<StoredMsg[]> {
    const { state } = await jsm.streams.info(stream);
    const stored: StoredMsg[] = [];
    for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
      const m = await jsm.streams.getMessage(stream, { seq });
      if (m) stored.push(m);
    }
    return stored;
  }

  const consumerDrained = (durable: string, stream: string) =>
    waitFor(`${durable} to have settled everything`, async () => {
      const info = await jsm.consumers.info(stream, durable);
      return info.num_pending === 0 && info.num_ack_pending === 0 ? true : undefined;
    });

  beforeAll(async () => {
    nats = await startNats();
    publisherNc = await connectToNats(nats.url, 'content-publisher');
    consumerNc = await connectToNats(nats.url, 'content-consumer');
    jsm = await jetstreamManager(publisherNc);
    for (const stream of parleyStreams({
      eventRetentionDays: 1,
      commandRetentionDays: 1,
      duplicateWindowSeconds: 60,
    }))
      await ensureStream(jsm, stream);
    await ensureContentKeyBucket(jsm, { bucket: BUCKET });
    // Two processes, as far as the broker can tell, each with its own store of keys.
    publisherKeys = new ContentKeyStore(publisherNc, keyRing(), BUCKET);
    consumerKeys = new ContentKeyStore(consumerNc, keyRing(), BUCKET);
    publisher = new JetStreamPublisher(publisherNc, DEFAULT_PARTITIONS, new ContentSeal(publisherKeys));
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    publisherKeys?.close();
    consumerKeys?.close();
    await publisherNc?.close();
    await consumerNc?.close();
    await nats?.stop();
  });

  it('stores no content in clear, hands it to handlers plain, and keeps dead letters sealed', async () => {
    const marker = `marker-${randomUUID()}`;
    const conversationId = randomUUID();
    const customerId = randomUUID();
    const event: DomainEvent = {
      id: `message.created:${randomUUID()}`,
      type: EventTypes.messageCreated,
      conversationId,
      customerId,
      occurredAt: acceptedAt,
      data: {
        conversationId,
        messageId: 'm-1',
        body: `${marker} message`,
        attachments: [{ id: 'a-1', name: `${marker}.pdf`, contentType: 'application/pdf', size: 3 }],
      },
    };
    await Promise.all([
      publisher.publish(
        PostMessage.subject,
        { issuedBy, acceptedAt, conversationId, messageId: 'm-1', body: `${marker} message` },
        'p-1',
      ),
      publisher.publish(
        AddNote.subject,
        { issuedBy, acceptedAt, conversationId, noteId: 'n-1', body: `${marker} note` },
        'n-1',
      ),
      publisher.publish(
        RegisterCustomer.subject,
        {
          issuedBy,
          acceptedAt,
          customerId,
          externalId: `${marker}-ext`,
          name: `${marker} name`,
          email: 'someone@example.com',
        },
        'c-1',
      ),
      publisher.publish(
        RateConversation.subject,
        { issuedBy, acceptedAt, conversationId, score: 2, comment: `${marker} comment`, via: 'widget' },
        'r-1',
      ),
      // Fails its validation (no messageId): dead-lettered as it was stored.
      publisher.publish(
        PostMessage.subject,
        { issuedBy, acceptedAt, conversationId, body: `${marker} undecodable` },
        'p-bad',
      ),
      publisher.publish(eventSubject(EventTypes.messageCreated), event, event.id),
    ]);

    const stored = [
      ...(await storedMessages(StreamNames.commands)),
      ...(await storedMessages(StreamNames.events)),
    ];
    expect(stored).toHaveLength(6);
    for (const m of stored) {
      expect(m.string()).not.toContain(marker);
      expect(m.header.get(SEALED_CONTENT_HEADER)).toBe('1');
    }
    expect(stored[0].json<PostMessage>().body).toMatch(/^content\.v1\.conversation\./);

    await consume('content-commands', StreamNames.commands, 'parley.cmd.>');
    await consume('content-events', StreamNames.events, 'parley.evt.>');
    await consumerDrained('content-commands', StreamNames.commands);
    await consumerDrained('content-events', StreamNames.events);

    expect(seen).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ messageId: 'm-1', body: `${marker} message` }),
        expect.objectContaining({ noteId: 'n-1', body: `${marker} note` }),
        expect.objectContaining({ customerId, externalId: `${marker}-ext`, name: `${marker} name` }),
        expect.objectContaining({ score: 2, comment: `${marker} comment` }),
        expect.objectContaining({ id: event.id, data: event.data }),
      ]),
    );
    expect(seen.filter((s) => JSON.stringify(s).includes('undecodable'))).toEqual([]);
    const letters = await storedMessages(StreamNames.deadLetters);
    expect(letters).toHaveLength(1);
    expect(letters[0].string()).not.toContain(marker);
    expect(letters[0].header.get(SEALED_CONTENT_HEADER)).toBe('1');
  });

  it('publishes content as it is with sealing off, as while upgrading from a release that cannot open it', async () => {
    const upgrading = new JetStreamPublisher(
      publisherNc,
      DEFAULT_PARTITIONS,
      new ContentSeal(publisherKeys, false),
    );
    const body = `plain-${randomUUID()}`;
    const ack = await upgrading.publish(
      PostMessage.subject,
      { issuedBy, acceptedAt, conversationId: randomUUID(), messageId: 'u-1', body },
      'u-1',
    );
    const stored = await jsm.streams.getMessage(StreamNames.commands, { seq: ack.seq });
    expect(stored?.json<PostMessage>().body).toBe(body);
    expect(stored?.header?.get(SEALED_CONTENT_HEADER) ?? '').toBe('');
  });

  it('keeps the order publishes were asked in when one waits for its key', async () => {
    const known = randomUUID();
    await publisherKeys.sealingKey({ kind: 'conversation', id: known });
    const fresh = randomUUID();
    const body = (i: number) => ({
      issuedBy,
      acceptedAt,
      conversationId: i === 3 ? fresh : known,
      messageId: `o-${i}`,
      body: `b${i}`,
    });
    const acks = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        publisher.publish(`parley.cmd.0.conversation.message.post`, body(i), `o-${i}`),
      ),
    );
    expect(acks.map((a) => a.seq)).toEqual(acks.map((_, i) => acks[0].seq + i));
    // Settled before the next test replaces the consumers, which would leave them to their ack wait.
    await consumerDrained('content-commands', StreamNames.commands);
    const handled = seen.filter((s) => /^o-\d$/.test((s as PostMessage).messageId ?? ''));
    expect(handled.map((s) => (s as PostMessage).body)).toEqual(acks.map((_, i) => `b${i}`));
  });

  it('acks what was sealed under a destroyed key without a handler, never opens it, and refuses new content', async () => {
    await apps.pop()?.close();
    await apps.pop()?.close();
    seen.length = 0;
    const [gone, kept] = [randomUUID(), randomUUID()];
    const post = (conversationId: string, n: number) =>
      publisher.publish(
        PostMessage.subject,
        { issuedBy, acceptedAt, conversationId, messageId: `d-${n}`, body: `destroyed-${n}` },
        `d-${n}`,
      );
    await post(gone, 1);
    await post(kept, 2);
    await post(gone, 3);
    const contentKeys = publisherKeys;
    await contentKeys.destroy([{ kind: 'conversation', id: gone }]);

    await consume('content-commands', StreamNames.commands, 'parley.cmd.>');
    await consumerDrained('content-commands', StreamNames.commands);
    // Only this test's conversations: what earlier tests published may still be handled here.
    const ours = seen.filter((s) => ([gone, kept] as string[]).includes((s as PostMessage).conversationId));
    expect(ours).toEqual([expect.objectContaining({ conversationId: kept, body: 'destroyed-2' })]);
    expect(erased).toEqual([PostMessage.subject, PostMessage.subject]);
    expect(await storedMessages(StreamNames.deadLetters)).toHaveLength(1);

    const sealed = (await storedMessages(StreamNames.commands)).filter((m) => m.string().includes(gone));
    expect(sealed).toHaveLength(2);
    const opener = new ContentSeal(consumerKeys);
    for (const m of sealed)
      await expect(opener.open(m.subject, m.json(), m.header)).rejects.toThrow(/was destroyed/);
    await expect(post(gone, 4)).rejects.toThrow(ContentErased);
  });
});
