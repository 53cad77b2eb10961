/**
 * `npm run bench -- decode`: what checking one pulled message costs, per payload, against
 * JSON.parse alone in the same run: an event and a posted-message command as the consumers decode
 * them (shallow copies, rules looked up once per class), and as they were decoded before: through
 * class-transformer, and class-validator looking every rule up on each call; and what sealing the
 * event's content on publish and opening it before decoding add (ADR 13), with the scope's key
 * already known to the process, as it is for all but a conversation's first message.
 */
import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validate, validateSync } from 'class-validator';
import { DomainEvent, PostMessage } from '@parley/contracts';
import { randomBytes } from 'node:crypto';
import { headers } from '@nats-io/nats-core';
import { ContentKeyStore, ContentSeal, decodePayload, SEALED_CONTENT_HEADER } from '@parley/jetstream';
import { writeResults } from '@parley/testing';
import { round } from './support';

const N = Number(process.env.BENCH_DECODES ?? 50_000);
const at = new Date().toISOString();
const ids = ['01a22f4f-4075-7179-a5ee-760eb80615e4', 'e298f5a1-76ce-5a38-a7a9-07842a3ca04a'];
const event = Buffer.from(
  JSON.stringify({
    id: `message.created:${ids[0]}`,
    type: 'message.created',
    conversationId: ids[0],
    customerId: ids[1],
    assigneeId: null,
    occurredAt: at,
    data: {
      messageId: ids[0],
      conversationId: ids[0],
      seq: 17,
      authorId: ids[1],
      authorRole: 'customer',
      type: 'message',
      body: 'Hello, my parcel #1234 has not arrived yet. Could you check where it is, please?',
      createdAt: at,
    },
  }),
);
const command = Buffer.from(
  JSON.stringify({
    conversationId: ids[0],
    messageId: ids[0],
    body: 'Hello, my parcel #1234 has not arrived yet. Could you check where it is, please?',
    issuedBy: { id: ids[1], role: 'customer' },
    acceptedAt: at,
  }),
);

/** A conversation's key as a process holds it once read: the bucket is not what is measured. */
const key = randomBytes(32);
const knownKeys = {
  sealingKey: async () => ({ generation: 1, key }),
  openingKey: async () => key,
} as unknown as ContentKeyStore;
const seal = new ContentSeal(knownKeys);
const sealedHeaders = headers();
sealedHeaders.set(SEALED_CONTENT_HEADER, '1');

async function perPayloadMicros(work: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < N / 10; i++) await work(); // warm-up: let the JIT settle first
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) await work();
  return Number(process.hrtime.bigint() - start) / N / 1000;
}

async function main(): Promise<void> {
  const eventSubject = 'parley.evt.message.created';
  const plainEvent = JSON.parse(event.toString('utf8'));
  const sealedEvent = Buffer.from(JSON.stringify((await seal.seal(eventSubject, plainEvent)).payload));
  const baseline = await perPayloadMicros(async () => JSON.parse(event.toString('utf8')));
  const rows = [
    { scenario: 'baseline: JSON.parse of an event', micros: baseline },
    {
      scenario: 'event through class-transformer + validate (before)',
      micros: await perPayloadMicros(async () => {
        await validate(plainToInstance(DomainEvent, JSON.parse(event.toString('utf8'))), { whitelist: true });
      }),
    },
    {
      scenario: 'event copied + validateSync, rules looked up per call (before)',
      micros: await perPayloadMicros(async () => {
        validateSync(Object.assign(new DomainEvent(), JSON.parse(event.toString('utf8'))), {
          whitelist: true,
        });
      }),
    },
    {
      scenario: 'event as consumers decode it (envelope)',
      micros: await perPayloadMicros(() => decodePayload(event, 'parley.evt.message.created', DomainEvent)),
    },
    {
      scenario: 'event sealed for publishing (ContentSeal.seal + JSON.stringify)',
      micros: await perPayloadMicros(async () =>
        JSON.stringify((await seal.seal(eventSubject, plainEvent)).payload),
      ),
    },
    {
      scenario: 'sealed event as consumers decode it (content opened, envelope)',
      micros: await perPayloadMicros(() =>
        decodePayload(sealedEvent, eventSubject, DomainEvent, (plain) =>
          seal.open(eventSubject, plain, sealedHeaders),
        ),
      ),
    },
    {
      scenario: 'message.post command through class-transformer + validate (before)',
      micros: await perPayloadMicros(async () => {
        await validate(plainToInstance(PostMessage, JSON.parse(command.toString('utf8'))), {
          whitelist: true,
        });
      }),
    },
    {
      scenario: 'message.post command as conversation decodes it',
      micros: await perPayloadMicros(() =>
        decodePayload(command, 'parley.cmd.conversation.message.post', PostMessage),
      ),
    },
  ].map((r) => ({ ...r, micros: round(r.micros, 1), 'x JSON.parse': round(r.micros / baseline, 1) }));
  console.log(`\ndecoding a pulled message, ${N.toLocaleString('en')} times each, µs per payload`);
  console.table(rows);
  console.log(`written to ${writeResults('decode', { date: new Date().toISOString(), n: N, rows })}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
