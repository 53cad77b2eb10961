import { createDatabase, TestDatabase } from './database';
import { startNats, startNatsCluster, TestNats } from './nats-server';
import { SERVICE_NAMES, ServiceName, ServiceProcess } from './service-process';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';
export const TEST_JWT_SECRET = 'test-jwt-secret-0123456789abcdef0123456789';

// Tests read response bodies field by field; `any` keeps those assertions short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** One request to a gateway at `baseUrl`: JSON in, JSON (or text) out, any status. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function callApi<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: the raw text is the body
  }
  return { status: res.status, headers: res.headers, body: body as T };
}

/**
 * The whole of Parley for one test suite: its own broker and database, and the five services as
 * OS processes. `services[name]` can be stopped, killed and started again.
 */
export class ParleySystem {
  private constructor(
    readonly nats: TestNats,
    readonly database: TestDatabase,
    readonly services: Record<ServiceName, ServiceProcess>,
    readonly env: Record<string, string>,
    /** Whether the broker is this system's own, stopped with it, or another's it only uses. */
    private readonly ownsBroker: boolean,
  ) {}

  private readonly replicas: ServiceProcess[] = [];

  /** Another process of a service, sharing its broker, database and durable consumers. */
  async startReplica(name: ServiceName, extraEnv: Record<string, string> = {}): Promise<ServiceProcess> {
    const replica = await ServiceProcess.create(name, { ...this.env, ...extraEnv });
    this.replicas.push(replica);
    await replica.start();
    return replica;
  }

  /**
   * `broker`: run on a broker another system also uses (each then needs its own PARLEY_NAMESPACE),
   * which is left running when this system stops.
   */
  static async start(
    extraEnv: Record<string, string> = {},
    options: {
      cluster?: boolean;
      broker?: TestNats;
      /** Each service's own variables over the shared ones (its NATS user, say). */
      serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
    } = {},
  ): Promise<ParleySystem> {
    const nats = options.broker ?? (options.cluster ? await startNatsCluster(3) : await startNats());
    const ownsBroker = !options.broker;
    const database = await createDatabase().catch(async (error: unknown) => {
      if (ownsBroker) await nats.stop();
      throw error;
    });
    const env = {
      NATS_URL: nats.url,
      DATABASE_URL: database.url,
      PARLEY_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      PARLEY_JWT_SECRET: TEST_JWT_SECRET,
      LOG_LEVEL: 'warn',
      // Load-shaped tests send thousands of requests with one token; the limit has its own test.
      PARLEY_RATE_LIMIT_PER_MINUTE: '10000000',
      ...extraEnv,
    };
    const services = {} as Record<ServiceName, ServiceProcess>;
    for (const name of SERVICE_NAMES)
      services[name] = await ServiceProcess.create(name, { ...env, ...options.serviceEnv?.[name] });
    const system = new ParleySystem(nats, database, services, env, ownsBroker);
    try {
      // Sequential starts: concurrent migrations are safe, but two cores boot five processes faster one by one.
      for (const name of SERVICE_NAMES) await services[name].start();
    } catch (error) {
      // The caller never gets a system to stop, so what did start is stopped here.
      await system.stop();
      throw error;
    }
    return system;
  }

  get gatewayUrl(): string {
    return this.services.gateway.url;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  api<T = any>(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse<T>> {
    return callApi<T>(this.gatewayUrl, method, path, options);
  }

  /**
   * Stops every process; unless `keep`, deletes the broker's store and drops the database. With
   * `keep` they stay for a post-mortem, and where they are is returned.
   */
  async stop({ keep = false }: { keep?: boolean } = {}): Promise<string | undefined> {
    await Promise.all([...Object.values(this.services), ...this.replicas].map((s) => s.stop('SIGTERM')));
    if (this.ownsBroker) await this.nats.stop({ keep });
    if (!keep) {
      await this.database.drop();
      return undefined;
    }
    return `broker store ${this.nats.stores?.join(', ') ?? '(in its container)'}; database ${this.database.url}`;
  }
}
