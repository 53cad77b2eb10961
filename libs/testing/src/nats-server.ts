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

  private constructor(private readonly port: number) {}

  static async create(): Promise<LocalNats> {
    const nats = new LocalNats(await freePort());
    await nats.start();
    return nats;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const binary = process.env.NATS_SERVER_BIN ?? 'nats-server';
    this.child = spawn(binary, ['-js', '-a', '127.0.0.1', '-p', String(this.port), '-sd', this.storeDir], {
      stdio: 'ignore',
    });
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
