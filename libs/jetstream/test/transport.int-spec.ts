/**
 * The JetStream transport against a real nats-server (its own child process, own store): durable
 * redelivery, retry with backoff, dead letters, graceful shutdown of a real OS process, and a
 * broker crash. Each test owns one subject and one durable of TEST_JOBS, so none depends on another.
 */
import 'reflect-metadata';
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Controller, INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  ConsumerInfo,
  jetstream,
  JetStreamClient,
  JetStreamManager,
  jetstreamManager,
  JsMsg,
  PubAck,
  StoredMsg,
} from '@nats-io/jetstream';
import { createInbox, headers as natsHeaders, nanos, NatsConnection, Subscription } from '@nats-io/nats-core';
import { parleyStreams, StreamDefinition, StreamNames } from '@parley/contracts';
import { startNats, TestNats, waitFor } from '@parley/testing';
import {
  APPLIED_NOTICE_HEADER,
  AppliedNotice,
  connectToNats,
  ConsumerDefinition,
  DeadLetterHeaders,
  deadLetterSubject,
  ensureConsumer,
  ensureStream,
  HandleCommand,
  HandleCommandBatch,
  JetStreamContext,
  JetStreamServer,
  JetStreamServerOptions,
  PermanentFailure,
} from '../src';
import {
  BatchJob,
  BulkJob,
  DoomedJob,
  FlakyJob,
  HandledReport,
  Job,
  LateJob,
  NoticedJob,
  ORDERED_WORKER_CONSUMER,
  OrderedJob,
  RestartJob,
  StrictJob,
  TEST_STREAM,
  WORKER_CONSUMER,
  WORKER_HANDLED_SUBJECT,
} from './fixtures/jobs';

const [DEAD_LETTERS] = parleyStreams({
  eventRetentionDays: 1,
  commandRetentionDays: 1,
  duplicateWindowSeconds: 120,
}).filter((s) => s.name === StreamNames.deadLetters);

// ---- handlers: one controller; each test decides what its subject's handler does ----------------

type Behaviour = (job: Job, ctx: JetStreamContext) => unknown;
const behaviours = new Map<string, Behaviour>();

function behave(subject: string, job: Job, ctx: JetStreamContext): unknown {
  const behaviour = behaviours.get(subject);
  if (!behaviour) throw new Error(`no behaviour for ${subject}`);
  return behaviour(job, ctx);
}

type BatchBehaviour = (jobs: Job[], ctx: JetStreamContext) => unknown;
const batchBehaviours = new Map<string, BatchBehaviour>();

function behaveInBatch(subject: string, jobs: Job[], ctx: JetStreamContext): unknown {
  const behaviour = batchBehaviours.get(subject);
  if (!behaviour) throw new Error(`no batch behaviour for ${subject}`);
  return behaviour(jobs, ctx);
}

@Controller()
class JobsController {
  @HandleCommandBatch(BatchJob)
  batch(@Payload() jobs: BatchJob[], @Ctx() ctx: JetStreamContext) {
    return behaveInBatch(BatchJob.subject, jobs, ctx);
  }

  @HandleCommandBatch(OrderedJob)
  ordered(@Payload() jobs: OrderedJob[], @Ctx() ctx: JetStreamContext) {
    return behaveInBatch(OrderedJob.subject, jobs, ctx);
  }

  @HandleCommand(BulkJob)
  bulk(@Payload() job: BulkJob, @Ctx() ctx: JetStreamContext) {
    return behave(BulkJob.subject, job, ctx);
  }

  @HandleCommand(FlakyJob)
  flaky(@Payload() job: FlakyJob, @Ctx() ctx: JetStreamContext) {
    return behave(FlakyJob.subject, job, ctx);
  }

  @HandleCommand(StrictJob)
  strict(@Payload() job: StrictJob, @Ctx() ctx: JetStreamContext) {
    return behave(StrictJob.subject, job, ctx);
  }

  @HandleCommand(NoticedJob)
  noticed(@Payload() job: NoticedJob, @Ctx() ctx: JetStreamContext) {
    return behave(NoticedJob.subject, job, ctx);
  }

  @HandleCommand(DoomedJob)
  doomed(@Payload() job: DoomedJob, @Ctx() ctx: JetStreamContext) {
    return behave(DoomedJob.subject, job, ctx);
  }

  @HandleCommand(RestartJob)
  restart(@Payload() job: RestartJob, @Ctx() ctx: JetStreamContext) {
    return behave(RestartJob.subject, job, ctx);
  }
}

@Module({ controllers: [JobsController] })
class JobsModule {}

/** A newer build of the jobs service: it also handles `LateJob`. */
@Controller()
class LateJobsController {
  @HandleCommand(LateJob)
  late(@Payload() job: LateJob, @Ctx() ctx: JetStreamContext) {
    return behave(LateJob.subject, job, ctx);
  }
}

@Module({ controllers: [JobsController, LateJobsController] })
class NewerJobsModule {}

// ---- harness -------------------------------------------------------------------------------------

let broker: TestNats;
let nc: NatsConnection; // the test's own connection: publishing, provisioning, observing
let consumerNc: NatsConnection; // the in-process consumers' connection, as a service would have
let js: JetStreamClient;
let jsm: JetStreamManager;
const openApps = new Set<INestMicroservice>();
const subscriptions: Subscription[] = [];
const children = new Set<ChildProcess>();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ids = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);

interface RunningConsumer {
  transport: JetStreamServer;
  close(): Promise<void>;
}

async function startConsumer(
  consumers: ConsumerDefinition[],
  options: Partial<JetStreamServerOptions> = {},
  module: new () => object = JobsModule,
): Promise<RunningConsumer> {
  const transport = new JetStreamServer(consumerNc, { consumers, queryQueue: 'transport-test', ...options });
  // No global filter, as in libs/runtime/src/bootstrap.ts: the handler decorators bring RethrowRpcErrors.
  const app = await NestFactory.createMicroservice(module, { strategy: transport, logger: false });
  await app.listen();
  openApps.add(app);
  return {
    transport,
    close: async () => {
      openApps.delete(app);
      await app.close();
    },
  };
}

/** Pipelined: a window of publishes in flight at once, each resolved by its PubAck. */
async function publishAll(subject: string, payloads: unknown[], window = 100): Promise<PubAck[]> {
  const acks: PubAck[] = [];
  for (let i = 0; i < payloads.length; i += window) {
    const batch = payloads
      .slice(i, i + window)
      .map((p) => js.publish(subject, typeof p === 'string' ? p : JSON.stringify(p)));
    acks.push(...(await Promise.all(batch)));
  }
  return acks;
}

const jobs = (list: string[]) => list.map((id) => ({ id }));

/** Every ack the client sends for a durable (+ACK, -NAK {delay}, +TERM), by stream sequence. */
async function watchAcks(durable: string): Promise<Map<number, string[]>> {
  const bySeq = new Map<number, string[]>();
  const sub = nc.subscribe(`$JS.ACK.${TEST_STREAM.name}.${durable}.>`, {
    callback: (error, msg) => {
      if (error) return;
      // $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<timestamp>.<pending>
      const seq = Number(msg.subject.split('.')[5]);
      bySeq.set(seq, [...(bySeq.get(seq) ?? []), msg.string()]);
    },
  });
  subscriptions.push(sub);
  await nc.flush();
  return bySeq;
}

async function deadLetters(durable: string): Promise<StoredMsg[]> {
  const { state } = await jsm.streams.info(DEAD_LETTERS.name);
  const letters: StoredMsg[] = [];
  for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
    const m = await jsm.streams.getMessage(DEAD_LETTERS.name, { seq });
    if (m?.subject === deadLetterSubject(durable)) letters.push(m);
  }
  return letters;
}

function consumerInfo(durable: string): Promise<ConsumerInfo> {
  return jsm.consumers.info(TEST_STREAM.name, durable);
}

/** Nothing waiting, nothing delivered-but-unacknowledged: no redelivery can ever come. */
async function waitSettled(durable: string): Promise<ConsumerInfo> {
  return waitFor(
    `${durable} to have nothing pending`,
    async () => {
      const info = await consumerInfo(durable);
      return info.num_pending === 0 && info.num_ack_pending === 0 && info;
    },
    15_000,
    50,
  );
}

function countBy(list: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const id of list) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

/** The ids that did not come exactly once. */
function notExactlyOnce(expected: string[], handled: string[]): Record<string, number> {
  const counts = countBy(handled);
  const wrong: Record<string, number> = {};
  for (const id of expected) if (counts.get(id) !== 1) wrong[id] = counts.get(id) ?? 0;
  for (const [id, n] of counts) if (!expected.includes(id)) wrong[id] = n;
  return wrong;
}

function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function nextReconnect(connection: NatsConnection): Promise<void> {
  for await (const status of connection.status()) if (status.type === 'reconnect') return;
}

// ---- the worker fixture as a real OS process ----------------------------------------------------

const FIXTURES = join(__dirname, 'fixtures');

interface WorkerProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  output(): string;
}

/** What the worker processes report handling, in the order the reports arrive. */
async function workerReports(): Promise<HandledReport[]> {
  const reports: HandledReport[] = [];
  subscriptions.push(
    nc.subscribe(WORKER_HANDLED_SUBJECT, {
      callback: (error, msg) => {
        if (!error) reports.push(msg.json<HandledReport>());
      },
    }),
  );
  await nc.flush();
  return reports;
}

async function startWorker(name: string, env: Record<string, string> = {}): Promise<WorkerProcess> {
  const child = spawn(
    process.execPath,
    ['--require', join(__dirname, '../../../tools/ts-register.js'), join(FIXTURES, 'worker.ts')],
    {
      env: { ...process.env, NATS_URL: broker.url, WORKER_NAME: name, WORK_MS: '3', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.add(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  const worker = { child, exited, output: () => output };
  await waitFor(
    `worker ${name} ready`,
    async () => {
      if (child.exitCode !== null)
        throw new Error(`worker ${name} exited with ${child.exitCode}:\n${output}`);
      return output.includes('ready\n');
    },
    20_000,
    50,
  );
  return worker;
}

/** SIGTERM, then the graceful shutdown must end with exit code 0. */
async function terminate(worker: WorkerProcess, name: string): Promise<void> {
  worker.child.kill('SIGTERM');
  const code = await within(15_000, `${name} to exit after SIGTERM`, worker.exited);
  if (code !== 0) throw new Error(`${name} exited with ${code} after SIGTERM:\n${worker.output()}`);
}

// ---- lifecycle -------------------------------------------------------------------------------------

beforeAll(async () => {
  broker = await startNats();
  nc = await connectToNats(broker.url, 'transport-test');
  consumerNc = await connectToNats(broker.url, 'transport-test-consumers');
  js = jetstream(nc);
  jsm = await jetstreamManager(nc);
  await ensureStream(jsm, TEST_STREAM);
  await ensureStream(jsm, DEAD_LETTERS);
});

afterEach(async () => {
  // A failed test must not leave consumers, observers or workers behind for the next one.
  await Promise.all([...openApps].map((app) => app.close()));
  openApps.clear();
  for (const sub of subscriptions.splice(0)) sub.unsubscribe();
  for (const child of children) child.kill('SIGKILL');
  behaviours.clear();
  batchBehaviours.clear();
});

afterAll(async () => {
  await consumerNc?.close();
  await nc?.close();
  await broker?.stop();
});

// ---- the tests ---------------------------------------------------------------------------------------

describe('JetStream transport against a real nats-server', () => {
  it('provisions streams and consumers: created, then unchanged, then updated after a config change', async () => {
    const stream: StreamDefinition = {
      name: 'TEST_PROVISIONING',
      subjects: ['test.provisioning.>'],
      maxAgeSeconds: 600,
      duplicateWindowSeconds: 30,
    };
    expect(await ensureStream(jsm, stream)).toBe('created');
    expect(await ensureStream(jsm, stream)).toBe('unchanged');
    expect(await ensureStream(jsm, { ...stream, maxAgeSeconds: 1_200 })).toBe('updated');
    expect(await ensureStream(jsm, { ...stream, maxAgeSeconds: 1_200 })).toBe('unchanged');
    expect((await jsm.streams.info(stream.name)).config.max_age).toBe(nanos(1_200_000));
    const moreSubjects = {
      ...stream,
      maxAgeSeconds: 1_200,
      subjects: ['test.provisioning.>', 'test.provisioned.>'],
    };
    expect(await ensureStream(jsm, moreSubjects)).toBe('updated');
    expect((await jsm.streams.info(stream.name)).config.subjects.sort()).toEqual(
      moreSubjects.subjects.sort(),
    );

    const consumer: ConsumerDefinition = {
      stream: stream.name,
      durable: 'provisioned',
      filterSubject: 'test.provisioning.a',
    };
    expect(await ensureConsumer(jsm, consumer)).toBe('created');
    expect(await ensureConsumer(jsm, consumer)).toBe('unchanged');
    expect(await ensureConsumer(jsm, { ...consumer, ackWaitSeconds: 10, maxAckPending: 50 })).toBe('updated');
    expect(await ensureConsumer(jsm, { ...consumer, ackWaitSeconds: 10, maxAckPending: 50 })).toBe(
      'unchanged',
    );
    const { config } = await jsm.consumers.info(stream.name, 'provisioned');
    expect(config).toMatchObject({
      durable_name: 'provisioned',
      filter_subject: 'test.provisioning.a',
      ack_wait: nanos(10_000),
      max_ack_pending: 50,
      max_deliver: -1,
    });
  });

  it('a durable consumer stopped while 1,000 messages were published handles all of them exactly once when it starts again', async () => {
    const def: ConsumerDefinition = {
      stream: TEST_STREAM.name,
      durable: 'bulk',
      filterSubject: BulkJob.subject,
    };
    await ensureConsumer(jsm, def);
    const handled: string[] = [];
    behaviours.set(BulkJob.subject, (job) => {
      expect(job).toBeInstanceOf(BulkJob);
      handled.push(job.id);
    });

    let consumer = await startConsumer([def]);
    await publishAll(BulkJob.subject, [{ id: 'warm-up' }]);
    await waitFor('the warm-up message', async () => handled.includes('warm-up'), 10_000, 20);
    await consumer.close();
    expect(consumer.transport.isReady()).toBe(false);

    const expected = ids('bulk', 1_000);
    const acks = await publishAll(BulkJob.subject, jobs(expected));
    expect(new Set(acks.map((a) => a.seq)).size).toBe(1_000);
    // Stored and owed to the stopped consumer, delivered to no one (the server's count may lag a moment).
    const waiting = await waitFor(
      'the stopped consumer to owe all 1,000',
      async () => {
        const info = await consumerInfo('bulk');
        return info.num_pending === 1_000 && info;
      },
      5_000,
      50,
    ).catch(async (error) => {
      throw new Error(`${error.message}: ${JSON.stringify(await consumerInfo('bulk'))}`);
    });
    expect(waiting.num_ack_pending).toBe(0);
    expect(handled).toEqual(['warm-up']);

    consumer = await startConsumer([def]);
    await waitFor('1,000 handled', async () => handled.length >= 1_001, 30_000, 50);
    const info = await waitSettled('bulk');
    await consumer.close();

    expect(notExactlyOnce(['warm-up', ...expected], handled)).toEqual({});
    expect(info.num_redelivered).toBe(0);
    expect(info.ack_floor.stream_seq).toBe(acks[acks.length - 1].seq);
  });

  it('retries a throwing handler after the configured backoff, then acks it exactly once', async () => {
    const def: ConsumerDefinition = {
      stream: TEST_STREAM.name,
      durable: 'flaky',
      filterSubject: FlakyJob.subject,
    };
    await ensureConsumer(jsm, def);
    const deliveries: { count: number; at: number; id: string }[] = [];
    behaviours.set(FlakyJob.subject, (job, ctx) => {
      deliveries.push({ count: ctx.deliveryCount, at: performance.now(), id: job.id });
      if (ctx.deliveryCount === 1) throw new Error('transient failure');
    });
    const acksBySeq = await watchAcks('flaky');
    const consumer = await startConsumer([def], { backoffMs: [300], maxDeliver: 5 });

    const [published] = await publishAll(FlakyJob.subject, [{ id: 'flaky-1' }]);
    await waitFor(
      'the successful retry to be acked',
      async () => acksBySeq.get(published.seq)?.includes('+ACK'),
      10_000,
      20,
    );
    await waitSettled('flaky');
    await consumer.close();

    expect(deliveries.map((d) => [d.id, d.count])).toEqual([
      ['flaky-1', 1],
      ['flaky-1', 2],
    ]);
    const retryDelay = deliveries[1].at - deliveries[0].at;
    expect(retryDelay).toBeGreaterThanOrEqual(300);
    expect(retryDelay).toBeLessThan(3_000); // the backoff, not the 30 s ack wait
    expect(acksBySeq.get(published.seq)).toEqual([`-NAK {"delay":${nanos(300)}}`, '+ACK']);
    expect([...acksBySeq.keys()]).toEqual([published.seq]);
  });

  it('dead-letters undecodable and invalid payloads with reason and origin, terminates them, and keeps consuming', async () => {
    const def: ConsumerDefinition = {
      stream: TEST_STREAM.name,
      durable: 'strict',
      filterSubject: StrictJob.subject,
    };
    await ensureConsumer(jsm, def);
    const handled: string[] = [];
    behaviours.set(StrictJob.subject, (job) => {
      handled.push(job.id);
    });
    const acksBySeq = await watchAcks('strict');
    const consumer = await startConsumer([def]);

    const [notJson] = await publishAll(StrictJob.subject, ['{"id": "strict-0", oops']);
    const [invalid] = await publishAll(StrictJob.subject, [{ id: 42, n: -1 }]);
    const [good] = await publishAll(StrictJob.subject, [{ id: 'strict-good', n: 1 }]);
    await waitFor('the good message', async () => handled.includes('strict-good'), 10_000, 20);
    const letters = await waitFor('two dead letters', async () => {
      const found = await deadLetters('strict');
      return found.length >= 2 && found;
    });
    await waitSettled('strict');
    await consumer.close();

    expect(handled).toEqual(['strict-good']);
    expect(letters).toHaveLength(2);
    const [first, second] = [...letters].sort(
      (a, b) =>
        Number(a.header.get(DeadLetterHeaders.sequence)) - Number(b.header.get(DeadLetterHeaders.sequence)),
    );
    for (const [letter, original] of [
      [first, notJson],
      [second, invalid],
    ] as const) {
      expect(letter.subject).toBe('parley.dlq.strict');
      expect(letter.header.get(DeadLetterHeaders.subject)).toBe(StrictJob.subject);
      expect(letter.header.get(DeadLetterHeaders.sequence)).toBe(String(original.seq));
      expect(letter.header.get(DeadLetterHeaders.stream)).toBe(TEST_STREAM.name);
      expect(letter.header.get(DeadLetterHeaders.consumer)).toBe('strict');
      expect(letter.header.get(DeadLetterHeaders.deliveries)).toBe('1');
    }
    expect(first.header.get(DeadLetterHeaders.reason)).toBe(`payload of ${StrictJob.subject} is not JSON`);
    expect(first.string()).toBe('{"id": "strict-0", oops'); // the original bytes, for inspection or replay
    const reason = second.header.get(DeadLetterHeaders.reason);
    expect(reason).toMatch(/^invalid StrictJob: /);
    expect(reason).toContain('id: id must be a string');
    expect(reason).toContain('n: n must not be less than 0');
    expect(second.json()).toEqual({ id: 42, n: -1 });

    expect(acksBySeq.get(notJson.seq)).toEqual(['+TERM']);
    expect(acksBySeq.get(invalid.seq)).toEqual(['+TERM']);
    expect(acksBySeq.get(good.seq)).toEqual(['+ACK']);
  });

  it('tells a command’s notice subject once it is applied, or why it was rejected, and only then', async () => {
    const def: ConsumerDefinition = {
      stream: TEST_STREAM.name,
      durable: 'noticed',
      filterSubject: NoticedJob.subject,
    };
    await ensureConsumer(jsm, def);
    const handled: string[] = [];
    let failuresLeft = 1;
    behaviours.set(NoticedJob.subject, (job) => {
      if (job.id === 'refused') throw new PermanentFailure('refused for good', 404);
      if (job.id === 'flaky' && failuresLeft-- > 0) throw new Error('try again');
      handled.push(job.id);
    });
    const notices = new Map<string, AppliedNotice[]>();
    const inbox = createInbox();
    subscriptions.push(
      nc.subscribe(`${inbox}.*`, {
        callback: (error, msg) => {
          const id = msg.subject.slice(inbox.length + 1);
          notices.set(id, [...(notices.get(id) ?? []), msg.json<AppliedNotice>()]);
        },
      }),
    );
    const send = (job: object, id: string) => {
      const h = natsHeaders();
      h.set(APPLIED_NOTICE_HEADER, `${inbox}.${id}`);
      return js.publish(NoticedJob.subject, JSON.stringify(job), { headers: h });
    };
    const consumer = await startConsumer([def], { backoffMs: [300] });

    await send({ id: 'fine' }, 'fine');
    await send({ id: 'flaky' }, 'flaky');
    await send({ id: 'refused' }, 'refused');
    await send({ id: 42 }, 'invalid');
    await js.publish(NoticedJob.subject, JSON.stringify({ id: 'unasked' }));
    await waitFor('every job settled', async () => handled.includes('unasked') && notices.size >= 4);
    await waitSettled('noticed');
    await sleep(200);
    await consumer.close();

    expect(notices.get('fine')).toEqual([{ outcome: 'applied' }]);
    // Retried, not rejected: the notice comes once, after the delivery that succeeded.
    expect(notices.get('flaky')).toEqual([{ outcome: 'applied' }]);
    expect(notices.get('refused')).toEqual([
      { outcome: 'rejected', status: 404, reason: 'refused for good' },
    ]);
    expect(notices.get('invalid')).toEqual([
      { outcome: 'rejected', status: 422, reason: expect.stringMatching(/^invalid NoticedJob: id: /) },
    ]);
    expect([...notices.keys()].sort()).toEqual(['fine', 'flaky', 'invalid', 'refused']);
    expect(handled.sort()).toEqual(['fine', 'flaky', 'unasked']);
  });

  it('a message of a newer build waits, unacked and counted, for a process that knows it, which then applies it', async () => {
    const def: ConsumerDefinition = {
      stream: TEST_STREAM.name,
      durable: 'late',
      filterSubject: LateJob.subject,
    };
    await ensureConsumer(jsm, def);
    const offered: string[] = [];
    const handled: string[] = [];
    behaviours.set(LateJob.subject, (job) => void handled.push(job.id));
    // The running build knows only the subjects of its own handlers, as isKnownSubject does.
    const olderBuild = {
      knowsSubject: (subject: string) => subject !== LateJob.subject,
      unknownRetryMs: 200,
    };
    const older = await startConsumer([def], olderBuild);
    older.transport.observer = {
      handled: () => undefined,
      failed: () => undefined,
      redelivered: () => undefined,
      unhandled: (_consumer, subject) => void offered.push(subject),
    };
    const [published] = await publishAll(LateJob.subject, [{ id: 'late-1' }]);
    await waitFor('the job offered back at least three times', async () => offered.length >= 3, 10_000, 50);
    const waiting = await consumerInfo('late');
    expect(waiting.num_ack_pending + waiting.num_pending).toBe(1);
    expect(handled).toEqual([]);
    await older.close();

    const newer = await startConsumer([def], { ...olderBuild, knowsSubject: () => true }, NewerJobsModule);
    await waitFor('the newer build to apply it', async () => handled.length === 1, 10_000, 50);
    await waitSettled('late');
    await newer.close();
    expect(handled).toEqual(['late-1']);
    expect(offered.every((subject) => subject === LateJob.subject)).toBe(true);
    expect(await deadLetters('late')).toEqual([]);
    expect((await consumerInfo('late')).ack_floor.stream_seq).toBeGreaterThanOrEqual(published.seq);
  });

  it('dead-letters a message no process could handle once it is older than the configured age', async () => {
    const def: ConsumerDefinition = {
      stream: TEST_STREAM.name,
      durable: 'late-unknown',
      filterSubject: 'test.jobs.unknown',
    };
    await ensureConsumer(jsm, def);
    const consumer = await startConsumer([def], {
      knowsSubject: () => false,
      unknownRetryMs: 200,
      unknownMaxAgeMs: 1_000,
    });
    const [published] = await publishAll('test.jobs.unknown', [{ id: 'unknown-1' }]);
    const [letter] = await waitFor(
      'the dead letter',
      async () => {
        const letters = await deadLetters('late-unknown');
        return letters.length ? letters : undefined;
      },
      15_000,
      100,
    );
    await waitSettled('late-unknown');
    await consumer.close();
    expect(letter.header?.get(DeadLetterHeaders.reason)).toMatch(/unknown subject/);
    expect(Number(letter.header?.get(DeadLetterHeaders.sequence))).toBe(published.seq);
  });

  it('dead-letters a message whose handler always fails after maxDeliver deliveries', async () => {
    const def: ConsumerDefinition = {
      stream: TEST_STREAM.name,
      durable: 'doomed',
      filterSubject: DoomedJob.subject,
    };
    await ensureConsumer(jsm, def);
    const deliveries: number[] = [];
    behaviours.set(DoomedJob.subject, (_job, ctx) => {
      deliveries.push(ctx.deliveryCount);
      throw new Error('the dependency is gone');
    });
    const acksBySeq = await watchAcks('doomed');
    const consumer = await startConsumer([def], { maxDeliver: 3, backoffMs: [100, 200] });

    const [published] = await publishAll(DoomedJob.subject, [{ id: 'doomed-1' }]);
    const [letter] = await waitFor('the dead letter', async () => {
      const found = await deadLetters('doomed');
      return found.length > 0 && found;
    });
    await waitSettled('doomed');
    await consumer.close();

    expect(deliveries).toEqual([1, 2, 3]);
    expect(letter.header.get(DeadLetterHeaders.reason)).toBe('failed 3 times, last: the dependency is gone');
    expect(letter.header.get(DeadLetterHeaders.deliveries)).toBe('3');
    expect(letter.header.get(DeadLetterHeaders.sequence)).toBe(String(published.seq));
    expect(letter.header.get(DeadLetterHeaders.subject)).toBe(DoomedJob.subject);
    expect(letter.json()).toEqual({ id: 'doomed-1' });
    expect(acksBySeq.get(published.seq)).toEqual([
      `-NAK {"delay":${nanos(100)}}`,
      `-NAK {"delay":${nanos(200)}}`,
      '+TERM',
    ]);
    expect(await deadLetters('doomed')).toHaveLength(1);
  });

  it('a worker process sent SIGTERM mid-batch loses and double-handles nothing', async () => {
    await ensureConsumer(jsm, WORKER_CONSUMER);
    const expected = ids('work', 500);
    await publishAll(WORKER_CONSUMER.filterSubject, jobs(expected));

    const reports = await workerReports();

    const first = await startWorker('first');
    await waitFor('100 handled by the first worker', async () => reports.length >= 100, 20_000, 5);
    const handledAtSignal = reports.length;
    await terminate(first, 'the first worker');
    const byFirst = reports.filter((r) => r.worker === 'first').length;
    expect(byFirst).toBeGreaterThanOrEqual(handledAtSignal);
    expect(byFirst).toBeLessThan(expected.length); // it really was stopped in the middle
    const pendingBetween = await consumerInfo(WORKER_CONSUMER.durable);

    const second = await startWorker('second');
    await waitFor(
      'all 500 handled',
      async () => new Set(reports.map((r) => r.id)).size >= expected.length,
      30_000,
      50,
    );
    await waitSettled(WORKER_CONSUMER.durable);
    await terminate(second, 'the second worker');

    const handledIds = reports.map((r) => r.id);
    expect(notExactlyOnce(expected, handledIds)).toEqual({});
    expect(reports.filter((r) => r.worker === 'second')).toHaveLength(expected.length - byFirst);
    expect(pendingBetween.num_pending + pendingBetween.num_ack_pending).toBe(expected.length - byFirst);
  });

  it('hands a batch handler the backlog in batches, acks each message once, and isolates a message that fails', async () => {
    const def: ConsumerDefinition = {
      stream: TEST_STREAM.name,
      durable: 'batch',
      filterSubject: BatchJob.subject,
      maxBatch: 100,
    };
    await ensureConsumer(jsm, def);
    const expected = ids('batch', 1_000);
    await publishAll(BatchJob.subject, jobs([...expected.slice(0, 500), 'poison', ...expected.slice(500)]));
    const handled: string[] = [];
    const sizes: number[] = [];
    batchBehaviours.set(BatchJob.subject, (batch) => {
      sizes.push(batch.length);
      if (batch.some((job) => job.id === 'poison')) throw new Error('poisoned batch');
      handled.push(...batch.map((job) => job.id));
    });
    const consumer = await startConsumer([def], { backoffMs: [50], maxDeliver: 2 });
    await waitFor(
      'the poison dead-lettered',
      async () => (await deadLetters('batch')).length === 1,
      20_000,
      50,
    );
    await waitSettled('batch');
    await consumer.close();

    expect(notExactlyOnce(expected, handled)).toEqual({});
    expect(Math.max(...sizes)).toBeLessThanOrEqual(100);
    // How the backlog splits depends on how the pulls arrive; most of it must come many at a time.
    const inBatches = sizes.filter((size) => size > 1).reduce((sum, size) => sum + size, 0);
    expect(inBatches).toBeGreaterThanOrEqual(expected.length / 2);
    const [letter] = await deadLetters('batch');
    expect(letter.header.get(DeadLetterHeaders.reason)).toContain('poisoned batch');
  });

  it('an ordered consumer retries a failing message in place: no later message overtakes it', async () => {
    const def: ConsumerDefinition = {
      stream: TEST_STREAM.name,
      durable: 'ordered',
      filterSubject: OrderedJob.subject,
      maxBatch: 10,
      ordered: true,
    };
    await ensureConsumer(jsm, def);
    const expected = ids('ordered', 50);
    const handled: string[] = [];
    let failures = 0;
    batchBehaviours.set(OrderedJob.subject, (batch) => {
      if (batch.some((job) => job.id === 'ordered-20') && failures < 3) {
        failures++;
        throw new Error('not yet');
      }
      handled.push(...batch.map((job) => job.id));
    });
    const acksBySeq = await watchAcks('ordered');
    const consumer = await startConsumer([def], { backoffMs: [100], maxDeliver: 10 });
    await publishAll(OrderedJob.subject, jobs(expected));
    await waitFor('all 50 handled', async () => handled.length >= expected.length, 20_000, 20);
    await waitSettled('ordered');
    await consumer.close();

    expect(handled).toEqual(expected);
    expect(failures).toBe(3);
    // Never nak'ed: the server had no chance to hand a later message out before it.
    expect([...acksBySeq.values()].flat().every((ack) => ack === '+ACK')).toBe(true);
  });

  it('an ordered consumer taking over handles what was left unacked in stream order, though it comes back out of order', async () => {
    // As when a holder loses its lease (a database outage): the batch in its hands and the queue
    // behind it had their ack waits extended at different times, so the later messages come back first.
    const def: ConsumerDefinition = {
      stream: TEST_STREAM.name,
      durable: 'takeover',
      filterSubject: OrderedJob.subject,
      maxBatch: 10,
      ordered: true,
      ackWaitSeconds: 2,
    };
    await jsm.streams.purge(TEST_STREAM.name, { filter: OrderedJob.subject }); // earlier tests' jobs
    await ensureConsumer(jsm, def);
    const left = ids('takeover', 20);
    await publishAll(OrderedJob.subject, jobs(left));
    const holder = await js.consumers.get(TEST_STREAM.name, def.durable);
    const held: JsMsg[] = [];
    for await (const m of await holder.fetch({ max_messages: 50, expires: 2_000 })) {
      held.push(m);
      if (held.length === left.length) break;
    }
    await sleep(1_000);
    held.slice(0, 5).forEach((m) => m.working()); // the batch in hand: back a second after the rest
    const handled: string[] = [];
    batchBehaviours.set(OrderedJob.subject, (batch) => {
      handled.push(...batch.map((job) => job.id).filter((id) => id.startsWith('takeover-')));
    });
    const consumer = await startConsumer([def], { backoffMs: [100] });
    const newer = ids('takeover-newer', 5);
    await publishAll(OrderedJob.subject, jobs(newer));
    await waitFor('all 25 handled', async () => handled.length >= 25, 20_000, 20);
    await waitSettled(def.durable);
    await consumer.close();
    expect(handled).toEqual([...left, ...newer]);
  });

  it('after an ordered worker is SIGKILLed, the next one handles what it left unacked before anything newer', async () => {
    await ensureConsumer(jsm, ORDERED_WORKER_CONSUMER);
    const expected = ids('in-order', 600);
    await publishAll(ORDERED_WORKER_CONSUMER.filterSubject, jobs(expected.slice(0, 300)));
    const reports = await workerReports();

    const first = await startWorker('first', { WORKER_ORDERED: '1' });
    await waitFor('100 handled by the first worker', async () => reports.length >= 100, 20_000, 5);
    first.child.kill('SIGKILL');
    await first.exited;
    const left = await consumerInfo(ORDERED_WORKER_CONSUMER.durable);
    expect(left.num_ack_pending).toBeGreaterThan(0); // it died holding messages
    // Newer messages, ready for the next worker before what the first left is up for redelivery.
    await publishAll(ORDERED_WORKER_CONSUMER.filterSubject, jobs(expected.slice(300)));

    const second = await startWorker('second', { WORKER_ORDERED: '1' });
    await waitFor(
      'all 600 handled',
      async () => new Set(reports.map((r) => r.id)).size >= expected.length,
      30_000,
      50,
    );
    await waitSettled(ORDERED_WORKER_CONSUMER.durable);
    await terminate(second, 'the second worker');

    const firstTimes: string[] = [];
    const seen = new Set<string>();
    for (const { id } of reports) {
      if (!seen.has(id)) firstTimes.push(id);
      seen.add(id);
    }
    expect(firstTimes).toEqual(expected);
    expect(reports.some((r) => r.worker === 'second' && r.delivery > 1)).toBe(true);
  });

  it('resumes publishing and consuming on the same connections after the broker is SIGKILLed and restarted', async () => {
    // Acks sent while the connection is down are dropped by nats.js (it discards its write buffer on
    // every reconnect), so those messages come back after ack_wait: a short one keeps the test short.
    const def: ConsumerDefinition = {
      stream: TEST_STREAM.name,
      durable: 'restart',
      filterSubject: RestartJob.subject,
      ackWaitSeconds: 2,
    };
    await ensureConsumer(jsm, def);
    const handled: string[] = [];
    behaviours.set(RestartJob.subject, async (job) => {
      await sleep(5);
      handled.push(job.id);
    });
    const consumer = await startConsumer([def]);
    const reconnected = Promise.all([nextReconnect(nc), nextReconnect(consumerNc)]);

    const beforeKill = ids('before', 200);
    const stored = await publishAll(RestartJob.subject, jobs(beforeKill));
    expect(stored).toHaveLength(beforeKill.length);
    const handledAtKill = new Set(handled).size;
    await broker.kill('SIGKILL');
    await broker.start();
    await within(15_000, 'both connections to reconnect', reconnected);
    expect(handledAtKill).toBeLessThan(beforeKill.length); // some were still in the stream when it died

    const afterRestart = ids('after', 100);
    expect(await publishAll(RestartJob.subject, jobs(afterRestart))).toHaveLength(afterRestart.length);
    await waitFor(
      'every message published before the kill and after the restart',
      async () => [...beforeKill, ...afterRestart].every((id) => handled.includes(id)),
      30_000,
      50,
    );
    await waitSettled('restart');
    expect(consumer.transport.isReady()).toBe(true);
    await consumer.close();
    expect(nc.isClosed() || consumerNc.isClosed()).toBe(false);

    // At least once across the crash (what was handled while the broker was down comes back); the
    // messages published after the restart exactly once; nothing that was never published.
    const counts = countBy(handled);
    const published = new Set([...beforeKill, ...afterRestart]);
    expect(beforeKill.filter((id) => !counts.has(id))).toEqual([]);
    expect(
      notExactlyOnce(
        afterRestart,
        handled.filter((id) => id.startsWith('after-')),
      ),
    ).toEqual({});
    expect([...counts.keys()].filter((id) => !published.has(id))).toEqual([]);
  });
});
