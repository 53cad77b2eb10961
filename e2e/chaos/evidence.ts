import { Client } from 'pg';
import { JetStreamManager, jetstreamManager, MsgRequest, StoredMsg } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { partitionOfSubject, StreamNames } from '@parley/contracts';
import { DeadLetterHeaders } from '@parley/jetstream';
import { ParleySystem } from '@parley/testing';

/** Every stored message of `stream` on `subject` (wildcards allowed), in stream order. */
async function* storedOn(jsm: JetStreamManager, stream: string, subject: string): AsyncGenerator<StoredMsg> {
  for (let seq = 1; ;) {
    // nats.js types `next_by_subj` for direct gets only; the server's message-get API takes it too.
    const request = { seq, next_by_subj: subject } as MsgRequest;
    const m = await jsm.streams.getMessage(stream, request).catch(() => null);
    if (!m) return;
    yield m;
    seq = m.seq + 1;
  }
}

/** The first stored message on `subject` whose payload names `id`. */
async function findNaming(jsm: JetStreamManager, stream: string, subject: string, id: string) {
  for await (const m of storedOn(jsm, stream, subject)) if (m.string().includes(id)) return m;
  return undefined;
}

/**
 * What the broker and the database know of each message the checker found lost or doubled: its
 * command and event in the streams, its dead letters, its claim and ledger rows, and the state of
 * the consumers and leases of its partition. One paragraph per message.
 */
export async function evidenceFor(system: ParleySystem, messageIds: string[]): Promise<string[]> {
  if (!messageIds.length) return [];
  const nc = await connect({ servers: system.nats.url.split(',') });
  const db = new Client({ connectionString: system.database.url });
  await db.connect();
  try {
    const jsm = await jetstreamManager(nc, { timeout: 5_000 });
    const letters: StoredMsg[] = [];
    for await (const m of storedOn(jsm, StreamNames.deadLetters, 'parley.dlq.>')) letters.push(m);
    const paragraphs: string[] = [];
    for (const id of messageIds) {
      const lines = [`message ${id}:`];
      const command = await findNaming(
        jsm,
        StreamNames.commands,
        'parley.cmd.*.conversation.message.post',
        id,
      );
      lines.push(
        command
          ? `  command stream: #${command.seq} on ${command.subject} at ${command.time.toISOString()}`
          : '  command stream: not held (expired, or never stored)',
      );
      const event = await findNaming(jsm, StreamNames.events, 'parley.evt.*.message.created', id);
      lines.push(
        event ? `  event stream: #${event.seq} on ${event.subject}` : '  event stream: no message.created',
      );
      const dead = letters.filter((l) => l.string().includes(id));
      lines.push(`  dead letters: ${dead.length}`);
      for (const l of dead)
        lines.push(
          `    from ${l.header?.get(DeadLetterHeaders.consumer)}: ${l.header?.get(DeadLetterHeaders.reason)}`,
        );
      if (command) {
        const claim = await db.query(
          'SELECT stream_seq, msg_id, processed_at FROM conversation.processed_commands WHERE stream_seq = $1',
          [command.seq],
        );
        lines.push(`  claim row: ${claim.rows.length ? JSON.stringify(claim.rows[0]) : 'none'}`);
      }
      const entries = await db.query(
        'SELECT conversation_id, seq, created_at FROM conversation.conversation_entries WHERE id = $1',
        [id],
      );
      lines.push(`  ledger rows: ${JSON.stringify(entries.rows)}`);
      const partition = command ? partitionOfSubject(command.subject) : undefined;
      if (partition !== undefined) lines.push(...(await partitionState(jsm, db, partition)));
      paragraphs.push(lines.join('\n'));
    }
    return paragraphs;
  } finally {
    await db.end();
    await nc.close();
  }
}

/** Each consumer of the partition (ack floor, backlog, redeliveries) and who holds its lease. */
async function partitionState(jsm: JetStreamManager, db: Client, partition: number): Promise<string[]> {
  const lines: string[] = [];
  const durables: Array<[string, string, string]> = [
    [StreamNames.commands, 'conversation', 'conversation'],
    [StreamNames.events, 'history', 'history'],
    [StreamNames.events, 'delivery', 'delivery'],
  ];
  for (const [stream, durable, schema] of durables) {
    const name = `${durable}-p${partition}`;
    const info = await jsm.consumers.info(stream, name).catch(() => undefined);
    const lease = await db.query(
      `SELECT owner, epoch, expires_at FROM "${schema}".partition_leases WHERE name = $1`,
      [name],
    );
    lines.push(
      `  ${name}: ` +
        (info
          ? `delivered #${info.delivered.stream_seq}, ack floor #${info.ack_floor.stream_seq}, ` +
            `pending ${info.num_pending}, unacked ${info.num_ack_pending}, redelivered ${info.num_redelivered}`
          : 'no such consumer') +
        `; lease ${JSON.stringify(lease.rows[0] ?? null)}`,
    );
  }
  return lines;
}
