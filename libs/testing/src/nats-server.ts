import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import type { StartedTestContainer } from 'testcontainers';
import { infraKind } from './infra';
import { freePort, waitFor } from './ports';

/** A JetStream-enabled broker owned by one test suite, which it may kill and restart on the same store. */
export interface TestNats {
  readonly url: string;
  kill(signal?: NodeJS.Signals): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

async function waitForBroker(url: string): Promise<void> {
  await waitFor(`nats-server at ${url}`, async () => {
    const nc = await connect({ servers: url, reconnect: false, timeout: 500 });
    await nc.close();
    return true;
  });
}

class LocalNats implements TestNats {
  private child?: ChildProcess;
  private readonly storeDir = mkdtempSync(join(tmpdir(), 'parley-nats-'));

  private constructor(
    private readonly port: number,
    private readonly clusterArgs: string[] = [],
  ) {}

  static async create(): Promise<LocalNats> {
    const nats = new LocalNats(await freePort());
    await nats.start();
    return nats;
  }

  /** One node of a loopback cluster; started by the cluster, which waits for all of them. */
  static node(port: number, clusterArgs: string[]): LocalNats {
    return new LocalNats(port, clusterArgs);
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const binary = process.env.NATS_SERVER_BIN ?? 'nats-server';
    this.child = spawn(
      binary,
      ['-js', '-a', '127.0.0.1', '-p', String(this.port), '-sd', this.storeDir, ...this.clusterArgs],
      { stdio: 'ignore' },
    );
    await waitForBroker(this.url);
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill('SIGTERM');
    rmSync(this.storeDir, { recursive: true, force: true });
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

export async function startNats(): Promise<TestNats> {
  return (await infraKind()) === 'containers' ? ContainerNats.create() : LocalNats.create();
}

/** A three-node JetStream cluster on loopback whose nodes a test can kill and restart one by one. */
export interface TestNatsCluster extends TestNats {
  readonly nodes: TestNats[];
}

export async function startNatsCluster(size = 3): Promise<TestNatsCluster> {
  const ports = await Promise.all(Array.from({ length: size }, () => freePort()));
  const clusterPorts = await Promise.all(Array.from({ length: size }, () => freePort()));
  const routes = clusterPorts.map((p) => `nats://127.0.0.1:${p}`).join(',');
  const nodes = ports.map((port, i) =>
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
  await Promise.all(nodes.map((n) => n.start()));
  const url = nodes.map((n) => n.url).join(',');
  // JetStream needs a meta leader before streams can be created.
  await waitFor('a JetStream meta leader', async () => {
    const nc = await connect({ servers: nodes.map((n) => n.url), timeout: 1000 });
    try {
      const { jetstreamManager } = await import('@nats-io/jetstream');
      await (await jetstreamManager(nc)).getAccountInfo();
      return true;
    } finally {
      await nc.close();
    }
  });
  return {
    url,
    nodes,
    kill: async (signal) => {
      await Promise.all(nodes.map((n) => n.kill(signal)));
    },
    start: async () => {
      await Promise.all(nodes.map((n) => n.start()));
    },
    stop: async () => {
      await Promise.all(nodes.map((n) => n.stop()));
    },
  };
}
