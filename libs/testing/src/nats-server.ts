import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import type { StartedTestContainer } from 'testcontainers';
import { track } from './children';
import { infraKind } from './infra';
import { freePort, waitFor } from './ports';

/** A JetStream-enabled broker owned by one test suite, which it may kill and restart on the same store. */
export interface TestNats {
  readonly url: string;
  kill(signal?: NodeJS.Signals): Promise<void>;
  start(): Promise<void>;
  /** Stops the broker and deletes its store, unless `keep` (the store is then left for a post-mortem). */
  stop(options?: { keep?: boolean }): Promise<void>;
  /** Where the store is kept, for a post-mortem; undefined in a container. */
  readonly stores?: string[];
}

/**
 * A broker that lets in only the users of `config` (an `authorization { … }` block, as in
 * deploy/base/nats/authorization.conf), whose passwords `env` gives; `probe` is the user the harness
 * checks it answers with.
 */
export interface NatsAuthorization {
  config: string;
  env: Record<string, string>;
  probe: { user: string; pass: string };
}

async function brokerAnswers(url: string, probe?: NatsAuthorization['probe']): Promise<true> {
  const nc = await connect({ servers: url, reconnect: false, timeout: 500, ...probe });
  await nc.close();
  return true;
}

async function waitForBroker(url: string): Promise<void> {
  await waitFor(`nats-server at ${url}`, () => brokerAnswers(url));
}

class LocalNats implements TestNats {
  private child?: ChildProcess;
  private stderr = '';
  private readonly storeDir = mkdtempSync(join(tmpdir(), 'parley-nats-'));

  get stores(): string[] {
    return [this.storeDir];
  }

  private constructor(
    private readonly port: number,
    private readonly clusterArgs: string[] = [],
    private readonly authorization?: NatsAuthorization,
  ) {}

  static async create(authorization?: NatsAuthorization): Promise<LocalNats> {
    const [nats] = await startWithFreshPorts('a nats-server', async () => {
      const candidate = new LocalNats(await freePort(), [], authorization);
      return { nodes: [candidate], ready: () => candidate.start() };
    });
    return nats;
  }

  /** One node of a loopback cluster; started by the cluster, which waits for all of them. */
  static node(port: number, clusterArgs: string[]): LocalNats {
    return new LocalNats(port, clusterArgs);
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  private get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the server and waits until it answers; if it exits first, fails at once with what it said. */
  async start(): Promise<void> {
    const binary = process.env.NATS_SERVER_BIN ?? 'nats-server';
    const configArgs: string[] = [];
    if (this.authorization) {
      const file = join(this.storeDir, 'authorization.conf');
      writeFileSync(file, this.authorization.config);
      configArgs.push('-c', file);
    }
    const child = spawn(
      binary,
      [
        ...configArgs,
        '-js',
        '-a',
        '127.0.0.1',
        '-p',
        String(this.port),
        '-sd',
        this.storeDir,
        ...this.clusterArgs,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...this.authorization?.env } },
    );
    this.child = track(child, `nats-server on port ${this.port}`);
    this.stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    try {
      const outcome = await waitFor(`nats-server at ${this.url}`, async () =>
        this.running ? brokerAnswers(this.url, this.authorization?.probe) : ('exited' as const),
      );
      if (outcome === 'exited') {
        const status = child.exitCode ?? child.signalCode;
        throw new Error(
          `nats-server on port ${this.port} exited with ${status} while starting:\n${this.stderr}`,
        );
      }
    } catch (error) {
      await this.kill();
      throw error;
    }
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }

  async stop({ keep = false }: { keep?: boolean } = {}): Promise<void> {
    await this.kill('SIGTERM');
    if (!keep) rmSync(this.storeDir, { recursive: true, force: true });
  }
}

class ContainerNats implements TestNats {
  private constructor(private container: StartedTestContainer) {}

  static async create(): Promise<ContainerNats> {
    const { GenericContainer, Wait } = await import('testcontainers');
    const container = await new GenericContainer('nats:2.10')
      .withCommand(['-js', '-sd', '/data'])
      .withExposedPorts(4222)
      .withWaitStrategy(Wait.forLogMessage(/Server is ready/))
      .start();
    return new ContainerNats(container);
  }

  get url(): string {
    return `nats://${this.container.getHost()}:${this.container.getMappedPort(4222)}`;
  }

  async kill(): Promise<void> {
    await this.container.stop({ remove: false, timeout: 0 });
  }

  async start(): Promise<void> {
    await this.container.restart();
    await waitForBroker(this.url);
  }

  async stop(): Promise<void> {
    await this.container.stop();
  }
}

/** A JetStream broker for one suite; with `authorization`, a local nats-server that checks users. */
export async function startNats(authorization?: NatsAuthorization): Promise<TestNats> {
  if (authorization) return LocalNats.create(authorization);
  return (await infraKind()) === 'containers' ? ContainerNats.create() : LocalNats.create();
}

/** A three-node JetStream cluster on loopback whose nodes a test can kill and restart one by one. */
export interface TestNatsCluster extends TestNats {
  readonly nodes: TestNats[];
}

/**
 * Runs `attempt` until its nodes start, on fresh ports each time. A port picked as free can be taken
 * before the server binds it (the OS hands the same range out as outgoing connections' source
 * ports), so one more try on new ports is what separates a busy machine from a broken broker.
 */
async function startWithFreshPorts(
  what: string,
  attempt: () => Promise<{ nodes: LocalNats[]; ready: () => Promise<void> }>,
  tries = 2,
): Promise<LocalNats[]> {
  for (let i = 1; ; i++) {
    const { nodes, ready } = await attempt();
    try {
      await ready();
      return nodes;
    } catch (error) {
      await Promise.all(nodes.map((n) => n.stop()));
      if (i >= tries) throw error;
      console.warn(`[parley-testing] ${what} failed to start, trying again on fresh ports: ${error}`);
    }
  }
}

export async function startNatsCluster(size = 3): Promise<TestNatsCluster> {
  const nodes = await startWithFreshPorts(`a ${size}-node JetStream cluster`, async () => {
    const ports = await Promise.all(Array.from({ length: size }, () => freePort()));
    const clusterPorts = await Promise.all(Array.from({ length: size }, () => freePort()));
    const routes = clusterPorts.map((p) => `nats://127.0.0.1:${p}`).join(',');
    const candidates = ports.map((port, i) =>
      LocalNats.node(port, [
        '-n',
        `parley-${i}`,
        '--cluster_name',
        'parley',
        '--cluster',
        `nats://127.0.0.1:${clusterPorts[i]}`,
        '--routes',
        routes,
      ]),
    );
    return {
      nodes: candidates,
      ready: async () => {
        await Promise.all(candidates.map((n) => n.start()));
        await waitForMetaLeader(candidates.map((n) => n.url));
      },
    };
  });
  const url = nodes.map((n) => n.url).join(',');
  return {
    url,
    nodes,
    kill: async (signal) => {
      await Promise.all(nodes.map((n) => n.kill(signal)));
    },
    start: async () => {
      await Promise.all(nodes.map((n) => n.start()));
    },
    stop: async (options) => {
      await Promise.all(nodes.map((n) => n.stop(options)));
    },
    stores: nodes.flatMap((n) => n.stores),
  };
}

/** JetStream needs a meta leader before streams can be created. */
async function waitForMetaLeader(servers: string[]): Promise<void> {
  await waitFor('a JetStream meta leader', async () => {
    const nc = await connect({ servers, timeout: 1000 });
    try {
      const { jetstreamManager } = await import('@nats-io/jetstream');
      await (await jetstreamManager(nc)).getAccountInfo();
      return true;
    } finally {
      await nc.close();
    }
  });
}
