import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { track } from './children';
import { freePort, waitFor } from './ports';

/** The heap limit the production image sets (Dockerfile), so tests and benchmarks run as it does. */
const SERVICE_NODE_OPTIONS = '--max-old-space-size=160';

/**
 * The key ring every service process of a test seals secrets under, unless its environment names
 * another: not the development default, so a test may run a service with NODE_ENV=production.
 */
export const TEST_SECRET_KEY = 'test:dGVzdCBzZWNyZXQga2V5IG9mIHRoaXJ0eS10d28gYnk=';

/** The content key ring (`PARLEY_CONTENT_KEY`) of every service process of a test, for the same reason. */
export const TEST_CONTENT_KEY = 'testcontent:dGVzdCBjb250ZW50IGtleSBvZiB0aGlydHktdHdvIGI=';

export type ServiceName = 'gateway' | 'conversation' | 'delivery' | 'history' | 'mail';
export const SERVICE_NAMES: ServiceName[] = ['gateway', 'conversation', 'delivery', 'history', 'mail'];

const ROOT = resolve(__dirname, '../../..');

/**
 * One Parley service as a real OS process, built as `npm start` runs it. It can be stopped with
 * SIGTERM (graceful) or SIGKILL (crash) and started again with the same environment.
 */
export class ServiceProcess {
  private child?: ChildProcess;
  private output: string[] = [];

  private constructor(
    readonly name: ServiceName,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  static async create(name: ServiceName, env: Record<string, string>): Promise<ServiceProcess> {
    return new ServiceProcess(name, await freePort(), env);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** OS process id while running. */
  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  /** Peak resident memory of the process so far (Linux VmHWM), in MiB. */
  peakRssMiB(): number | undefined {
    if (!this.pid) return undefined;
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
      return kb ? Number(kb) / 1024 : undefined;
    } catch {
      return undefined;
    }
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last lines the process printed, for a failing test's message. */
  recentOutput(lines = 40): string {
    return this.output.slice(-lines).join('');
  }

  async start(): Promise<void> {
    this.launch();
    await this.waitReady();
  }

  /** Starts the process and waits for it to exit by itself, e.g. on bad configuration. */
  async runUntilExit(timeoutMs = 20_000): Promise<{ code: number | null; output: string }> {
    const child = this.launch();
    const code = await new Promise<number | null>((done, fail) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        fail(new Error(`${this.name} did not exit within ${timeoutMs} ms:\n${this.recentOutput()}`));
      }, timeoutMs);
      child.once('exit', (exitCode) => {
        clearTimeout(timer);
        done(exitCode);
      });
    });
    return { code, output: this.output.join('') };
  }

  private launch(): ChildProcess {
    const entry = join(ROOT, 'dist/apps', this.name, 'src/main.js');
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
    // PARLEY_CPU_PROF_DIR makes every service write a V8 CPU profile there when it exits (benchmarks).
    const profile = this.env.PARLEY_CPU_PROF_DIR ?? process.env.PARLEY_CPU_PROF_DIR;
    const nodeArgs = profile
      ? ['--cpu-prof', `--cpu-prof-dir=${profile}`, `--cpu-prof-name=${this.name}.cpuprofile`]
      : [];
    const child = spawn(process.execPath, [...nodeArgs, entry], {
      cwd: ROOT,
      env: {
        NODE_OPTIONS: SERVICE_NODE_OPTIONS,
        PARLEY_SECRET_KEY: TEST_SECRET_KEY,
        PARLEY_CONTENT_KEY: TEST_CONTENT_KEY,
        ...process.env,
        ...this.env,
        PORT: String(this.port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      this.output.push(chunk.toString());
      if (this.output.length > 500) this.output = this.output.slice(-250);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.child = track(child, `the ${this.name} service`);
    return child;
  }

  async waitReady(timeoutMs = 30_000): Promise<void> {
    try {
      await waitFor(
        `${this.name} ready`,
        async () => {
          if (!this.running)
            throw new Error(`${this.name} exited with ${this.child?.exitCode ?? this.child?.signalCode}`);
          const res = await fetch(`${this.url}/health/ready`);
          return res.ok;
        },
        timeoutMs,
        150,
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- ${this.name} output ---\n${this.recentOutput()}`);
    }
  }

  /**
   * Sends the signal (`times` times, 20 ms apart, as an impatient supervisor would) and resolves
   * when the process has exited, with its exit code (null when a signal ended it).
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM', times = 1): Promise<number | null> {
    const child = this.child;
    if (!child || !this.running) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    for (let sent = 0; sent < times; sent++) {
      if (sent) await new Promise((resolve) => setTimeout(resolve, 20));
      if (this.running) child.kill(signal);
    }
    return exited;
  }
}
