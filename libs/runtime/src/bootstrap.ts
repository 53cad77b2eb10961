import { DynamicModule, Logger as NestLogger, Module, Type } from '@nestjs/common';
import type { FastifyServerOptions } from 'fastify';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { NatsConnection } from '@nats-io/nats-core';
import { JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import { CONTENT_KEYS_BUCKET, isKnownSubject, parleyStreams, StreamNames } from '@parley/contracts';
import {
  ConsumerDefinition,
  connectToNats,
  ContentKeyStore,
  ContentSeal,
  ensureConsumer,
  ensureContentKeyBucket,
  ensureStream,
  JetStreamModule,
  JetStreamServer,
  NatsUnreachable,
  partitionConsumers,
} from '@parley/jetstream';
import {
  consumerMetrics,
  logHttpRequests,
  loggingModule,
  measureHttp,
  MetricsModule,
  registerConsumerLag,
  startTracing,
  stopTracing,
  watchStreamExpiry,
} from '@parley/observability';
import { SecretBox } from '@parley/secrets';
import { Logger } from 'nestjs-pino';
import { InvalidConfiguration, loadConfig, ServiceEnv } from './config';
import { HealthModule } from './health';
import { ProcessLeases, ServiceStorage } from './service-storage';
import { StartupProgress } from './startup-progress';

export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');

export interface ServiceDefinition<C extends ServiceEnv> {
  name: string;
  defaultPort: number;
  env: new () => C;
  /** The service's own feature modules, among them the one that opens its storage. */
  imports: (config: C) => Array<Type | DynamicModule>;
  /** Where the service keeps its state: its ordered consumers' leases and readiness use it too. */
  storage?: ServiceStorage;
  /** Rules across variables, checked with the rest of the configuration: a message stops the start. */
  checkConfig?: (config: C) => string | undefined;
  /** Durable consumers this service reads (optionally shaped by its configuration). */
  consumers?: ConsumerDefinition[] | ((config: C) => ConsumerDefinition[]);
  /** HTTP setup beyond health and metrics (the gateway's API, docs, pipes). */
  configureHttp?: (app: NestFastifyApplication, config: C) => void | Promise<void>;
  /** The largest request body read, in bytes: 1 MiB unless given. */
  bodyLimitBytes?: (config: C) => number;
  /** Fastify options beyond the body limit: answers for requests refused before routing, proxies. */
  fastifyOptions?: (config: C) => Pick<FastifyServerOptions, 'frameworkErrors' | 'trustProxy'>;
}

/**
 * Every service must split the streams into the same number of partitions, fixed for the
 * deployment: the partitioned durables already there say how many the others use.
 */
async function partitionMismatch(jsm: JetStreamManager, partitions: number): Promise<string | undefined> {
  const highest = new Map<string, number>();
  for (const stream of [StreamNames.commands, StreamNames.events]) {
    try {
      for await (const consumer of jsm.consumers.list(stream)) {
        const partition = /^(.+)-p(\d+)$/.exec(consumer.name);
        if (partition)
          highest.set(partition[1], Math.max(highest.get(partition[1]) ?? -1, Number(partition[2])));
      }
    } catch {
      // No such stream yet: a first start, nothing to agree with.
    }
  }
  // Only more: a service starting beside this one may not have made all of its durables yet.
  for (const [durable, max] of highest) {
    if (max + 1 > partitions)
      return (
        `PARLEY_PARTITIONS=${partitions}, but the durables of ${durable} were made for ${max + 1} partitions. ` +
        'Every service must use the same value, fixed for the deployment (docs/operations.md, Scaling).'
      );
  }
  return undefined;
}

/** Streams and durable consumers are declared in code and brought in line at every start. */
async function provision(
  jsm: JetStreamManager,
  config: ServiceEnv,
  consumers: ConsumerDefinition[],
): Promise<void> {
  const streams = parleyStreams({
    eventRetentionDays: config.PARLEY_EVENT_RETENTION_DAYS,
    commandRetentionDays: config.PARLEY_COMMAND_RETENTION_DAYS,
    duplicateWindowSeconds: config.PARLEY_DUPLICATE_WINDOW_SECONDS,
  });
  for (const stream of streams) await ensureStream(jsm, stream, config.PARLEY_STREAM_REPLICAS);
  await ensureContentKeyBucket(jsm, { bucket: CONTENT_KEYS_BUCKET, replicas: config.PARLEY_STREAM_REPLICAS });
  for (const consumer of consumers) await ensureConsumer(jsm, consumer);
}

function fail(service: string, message: string): never {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', service, msg: message })}\n`);
  process.stderr.write(`\n${service} cannot start: ${message}\n`);
  process.exit(1);
}

/**
 * Starts one Parley service: validated configuration, one NATS connection, streams and consumers,
 * HTTP with health and metrics, the JetStream transport, and a graceful shutdown on SIGTERM/SIGINT.
 */
export async function runService<C extends ServiceEnv>(def: ServiceDefinition<C>): Promise<void> {
  startTracing(def.name);
  const progress = new StartupProgress(def.name);
  let config: C;
  let nc: NatsConnection;
  let consumers: ConsumerDefinition[];
  let jsm: JetStreamManager;
  try {
    config = loadConfig(def.env, { PORT: def.defaultPort } as Partial<Record<keyof C, unknown>>);
    const refusal = def.checkConfig?.(config);
    if (refusal) throw new InvalidConfiguration(`Invalid configuration: ${refusal}`);
    consumers = partitionConsumers(
      typeof def.consumers === 'function' ? def.consumers(config) : (def.consumers ?? []),
      config.PARLEY_PARTITIONS,
    );
    progress.enter(`connecting to NATS at ${config.NATS_URL}`);
    nc = await connectToNats(config.NATS_URL, def.name, {
      user: config.NATS_USER,
      pass: config.NATS_PASSWORD,
    });
    progress.enter('provisioning streams and durable consumers');
    jsm = await jetstreamManager(nc);
    const mismatch = await partitionMismatch(jsm, config.PARLEY_PARTITIONS);
    if (mismatch) throw new InvalidConfiguration(`Invalid configuration: ${mismatch}`);
    await provision(jsm, config, consumers);
  } catch (error) {
    if (error instanceof InvalidConfiguration || error instanceof NatsUnreachable)
      fail(def.name, error.message);
    throw error;
  }

  let leases: ProcessLeases | undefined;
  if (consumers.some((c) => c.ordered)) {
    if (!def.storage) throw new Error(`${def.name} has ordered consumers and no storage for their leases`);
    leases = def.storage.leases({
      url: config.DATABASE_URL,
      schema: def.name,
      ttlMs: config.PARLEY_LEASE_TTL_SECONDS * 1000,
    });
  }
  const contentKeys = new ContentKeyStore(
    nc,
    SecretBox.fromKeyRing(config.PARLEY_CONTENT_KEY, 'PARLEY_CONTENT_KEY'),
    CONTENT_KEYS_BUCKET,
  );
  const transport = new JetStreamServer(nc, {
    consumers,
    queryQueue: def.name,
    maxDeliver: config.PARLEY_MAX_DELIVER,
    lease: leases,
    isUnavailable: def.storage?.isUnavailable,
    knowsSubject: isKnownSubject,
    unknownRetryMs: config.PARLEY_UNKNOWN_SUBJECT_RETRY_SECONDS * 1000,
    unknownMaxAgeMs: config.PARLEY_UNKNOWN_SUBJECT_MAX_AGE_SECONDS * 1000,
    pullExpiresMs: Math.min(5_000, (config.PARLEY_LEASE_TTL_SECONDS * 1000) / 2),
    content: new ContentSeal(contentKeys),
  });
  transport.observer = consumerMetrics;
  registerConsumerLag({
    lag: () =>
      Promise.all(
        consumers.map(async (c) => {
          const info = await jsm.consumers.info(c.stream, c.durable);
          return { consumer: c.durable, pending: info.num_pending, ackPending: info.num_ack_pending };
        }),
      ),
  });
  // Every consumer of every Parley stream, not only this service's: a service that is down reports
  // nothing, so the others must show its consumers nearing the streams' retention.
  const expiry = watchStreamExpiry(jsm);

  @Module({
    imports: [
      loggingModule(def.name, config.LOG_LEVEL, config.LOG_FORMAT),
      MetricsModule,
      HealthModule.forService(def.storage?.readiness),
      JetStreamModule.forConnection(nc, contentKeys, config.PARLEY_PARTITIONS),
      ...def.imports(config),
    ],
    providers: [
      { provide: SERVICE_CONFIG, useValue: config },
      { provide: JetStreamServer, useValue: transport },
    ],
    exports: [SERVICE_CONFIG, JetStreamServer],
  })
  class ServiceRootModule {}

  let app: NestFastifyApplication;
  progress.enter('creating the application (database connection and migrations)');
  try {
    app = await NestFactory.create<NestFastifyApplication>(
      { module: ServiceRootModule, global: true },
      new FastifyAdapter({
        bodyLimit: def.bodyLimitBytes?.(config) ?? 1024 * 1024,
        ...def.fastifyOptions?.(config),
      }),
      { bufferLogs: true, abortOnError: false },
    );
  } catch (error) {
    fail(def.name, def.storage?.startFailure(error) ?? `${(error as Error).stack ?? error}`);
  }
  const logger = app.get(Logger);
  app.useLogger(logger);
  app.flushLogs();
  measureHttp(app.getHttpAdapter().getInstance());
  logHttpRequests(app.getHttpAdapter().getInstance());
  await def.configureHttp?.(app, config);
  app.connectMicroservice({ strategy: transport });
  // Init hooks first (routes, the outbox's relay), so consumers never run in a half-started app.
  await app.init();
  progress.enter('starting the JetStream consumers');
  await app.startAllMicroservices();
  progress.enter(`listening on :${config.PORT}`);
  await app.listen({ port: config.PORT, host: '0.0.0.0' });
  progress.done();
  const log = new NestLogger(def.name);
  log.log(`${def.name} listening on :${config.PORT}, NATS ${config.NATS_URL}`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.log(`${signal}: stop pulling, finish in-flight work, drain NATS`);
    setTimeout(() => {
      log.error(`shutdown took longer than ${config.PARLEY_SHUTDOWN_TIMEOUT_MS} ms; exiting`);
      process.exit(1);
    }, config.PARLEY_SHUTDOWN_TIMEOUT_MS).unref();
    expiry.stop();
    // Others take this process's partitions as its consumers release them, not a TTL later.
    await leases?.leave();
    await transport.close();
    await leases?.close();
    await app.close();
    contentKeys.close();
    await nc.drain();
    await stopTracing();
    process.exit(0);
  };
  // A repeated SIGTERM (a supervisor, or npm start's launcher passing one on) must not cut the drain
  // short, so it stays handled; a second Ctrl-C is left to end the process at once.
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}
