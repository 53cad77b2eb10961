// What the Docker image does, without a Docker engine: each app's production build (`npm run build`
// output), packed by tools/pack-app.mjs with a package.json of only its runtime dependencies,
// installed with `npm ci --omit=dev` into an empty folder, started with `node .` against NATS and
// PostgreSQL, used, and stopped with SIGTERM.
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  createDatabase,
  freePort,
  startNats,
  TEST_CONTENT_KEY,
  TEST_SECRET_KEY,
  TestDatabase,
  TestNats,
  waitFor,
} from '@parley/testing';

const ROOT = resolve(__dirname, '..');
const APPS = ['gateway', 'conversation', 'delivery', 'history', 'mail'] as const;
type App = (typeof APPS)[number];
const LIBS = ['contracts', 'jetstream', 'observability', 'persistence', 'runtime', 'secrets', 'validation'];
const ADMIN_TOKEN = 'production-build-admin-token';
const JWT_SECRET = 'production-build-jwt-secret-0123456789abcdef';

// Response bodies are read field by field; `any` keeps those assertions short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const rootPackage = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
/** Development tools that must never reach an image (some dev *types* may: @nestjs/jwt needs @types/jsonwebtoken). */
const DEV_TOOLS = [
  'typescript',
  'tsc-alias',
  'jest',
  '@swc/core',
  'eslint',
  'prettier',
  'nx',
  '@nestjs/testing',
  'testcontainers',
  'kubernetes-models',
  'fast-check',
];

/** The stages of the Dockerfile, by name, with their instructions (continuation lines joined). */
function dockerfileStages(): Record<string, { from: string; lines: string[] }> {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const args = Object.fromEntries(
    [...text.matchAll(/^ARG (\w+)=(\S+)$/gm)].map(([, name, value]) => [name, value] as const),
  );
  const stages: Record<string, { from: string; lines: string[] }> = {};
  let current: { from: string; lines: string[] } | undefined;
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (!line || line.startsWith('#')) continue;
    const from = /^FROM (\S+) AS (\w+)$/.exec(line);
    if (from) {
      current = { from: from[1].replace(/^\$\{(\w+)\}$/, (_, name) => args[name] ?? name), lines: [] };
      stages[from[2]] = current;
    } else current?.lines.push(line);
  }
  return stages;
}

describe('Dockerfile and build output', () => {
  it('builds with `npm ci && npm run build`, installs production dependencies only, runs as non-root', () => {
    const stages = dockerfileStages();
    expect(Object.keys(stages)).toEqual(['build', 'deps', 'runtime']);
    for (const stage of Object.values(stages))
      expect(stage.from).toMatch(/^node:(20|22)\.\d+\.\d+-alpine[\d.]*$/);
    const build = stages.build.lines.join('\n');
    expect(build).toMatch(/^RUN npm ci\b/m);
    expect(build).toMatch(/^RUN npm run build && node tools\/pack-app\.mjs "\$APP" \/out$/m);
    expect(stages.deps.lines).toContain('COPY --from=build /out/package.json /out/package-lock.json ./');
    expect(stages.deps.lines.join('\n')).toMatch(/^RUN npm ci --omit=dev\b/m);
    const runtime = stages.runtime.lines;
    expect(runtime).toContain('COPY --from=deps /app/node_modules ./node_modules');
    expect(runtime).toContain('COPY --from=build /out/ ./');
    expect(runtime).toContain('USER 1000:1000');
    // The heap limit that holds each service under 200 MB (docs/performance.md#memory).
    expect(runtime.find((l) => l.startsWith('ENV '))).toMatch(/\bNODE_OPTIONS=--max-old-space-size=160\b/);
    expect(runtime.find((l) => l.startsWith('HEALTHCHECK'))).toMatch(/\/health\/live/);
    expect(runtime).toContain('CMD ["node", "."]');
    expect(runtime.some((l) => l.startsWith('ENTRYPOINT'))).toBe(false);
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', 'dist', '.git', '.env']));
    for (const needed of [
      'apps',
      'libs',
      'tools',
      'package.json',
      'package-lock.json',
      'tsconfig.build.json',
    ]) {
      expect(ignored).not.toContain(needed);
    }
  });

  it('`npm run build` left every app and the runtime libs (not the test harness) in dist/', () => {
    for (const app of APPS) {
      const main = join(ROOT, 'dist/apps', app, 'src/main.js');
      if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first`);
    }
    for (const lib of LIBS) expect(existsSync(join(ROOT, 'dist/libs', lib, 'src/index.js'))).toBe(true);
    expect(existsSync(join(ROOT, 'dist/libs/testing'))).toBe(false);
  });
});

describe('production build of each app, packed and installed as in the image', () => {
  let workDir: string;
  const packed = {} as Record<App, string>;
  const manifests = {} as Record<App, { main: string; dependencies: Record<string, string> }>;
  let nats: TestNats;
  let database: TestDatabase;
  const children = new Map<App, { child: ChildProcess; port: number; output: string[] }>();

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'parley-production-build-'));
    // Nothing above the folder may lend it packages: `node .` must find everything in its own node_modules.
    for (let dir = dirname(workDir); ; dir = dirname(dir)) {
      expect(existsSync(join(dir, 'node_modules'))).toBe(false);
      if (dir === dirname(dir)) break;
    }
    // The apps install at once: each install mostly waits on the disk and npm's cache.
    await Promise.all(
      APPS.map(async (app) => {
        const dir = join(workDir, app);
        await promisify(execFile)(process.execPath, [join(ROOT, 'tools/pack-app.mjs'), app, dir]);
        // The Dockerfile's deps stage: exactly these two files, then `npm ci --omit=dev`.
        await promisify(execFile)(
          'npm',
          ['ci', '--omit=dev', '--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline'],
          { cwd: dir },
        );
        packed[app] = dir;
        manifests[app] = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      }),
    );
  }, 240_000);

  afterAll(async () => {
    for (const { child } of children.values()) if (child.exitCode === null) child.kill('SIGKILL');
    await nats?.stop();
    await database?.drop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('lists only the runtime dependencies each app loads, at the root versions, and installs no dev tool', () => {
    const rootLock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
    for (const app of APPS) {
      const { main, dependencies } = manifests[app];
      expect(main).toBe(`apps/${app}/src/main.js`);
      for (const [name, range] of Object.entries(dependencies))
        expect([app, name, range]).toEqual([app, name, rootPackage.dependencies[name]]);
      // Loaded by every app, directly or as peers (typeorm → pg, nestjs-pino → pino-http, swagger UI → @fastify/static).
      expect(Object.keys(dependencies)).toEqual(
        expect.arrayContaining([
          '@nestjs/core',
          'reflect-metadata',
          'rxjs',
          'pg',
          'pino-http',
          '@fastify/static',
        ]),
      );
      const installed = readdirSync(join(packed[app], 'node_modules'));
      const scoped = installed
        .filter((n) => n.startsWith('@'))
        .flatMap((scope) =>
          readdirSync(join(packed[app], 'node_modules', scope)).map((n) => `${scope}/${n}`),
        );
      const everything = new Set([...installed, ...scoped]);
      expect([app, DEV_TOOLS.filter((name) => everything.has(name))]).toEqual([app, []]);
      // The pruned lockfile holds production packages only, a fraction of the workspace's.
      const lock = JSON.parse(readFileSync(join(packed[app], 'package-lock.json'), 'utf8'));
      const entries = Object.entries(lock.packages) as Array<
        [string, { dev?: boolean; devOptional?: boolean }]
      >;
      expect([app, entries.filter(([, p]) => p.dev || p.devOptional).map(([path]) => path)]).toEqual([
        app,
        [],
      ]);
      expect(entries.length).toBeLessThan(Object.keys(rootLock.packages).length / 2);
      expect(existsSync(join(packed[app], 'libs/testing'))).toBe(false);
      // The gateway also serves the built console and widget, packed beside it.
      const served = app === 'gateway' ? ['console', 'widget'] : [];
      expect(readdirSync(join(packed[app], 'apps')).sort()).toEqual([app, ...served].sort());
    }
    expect(Object.keys(manifests.gateway.dependencies)).toContain('@nestjs/jwt');
    expect(Object.keys(manifests.conversation.dependencies)).not.toContain('@nestjs/jwt');
  });

  it('each app starts from its folder with `node .`, becomes ready, serves, and exits 0 on SIGTERM', async () => {
    nats = await startNats();
    database = await createDatabase();
    const start = async (app: App) => {
      const port = await freePort();
      // The image's environment: NODE_ENV=production (the gateway then insists on real secrets),
      // and its heap limit.
      const env: Record<string, string> = {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        NODE_ENV: 'production',
        NODE_OPTIONS: '--max-old-space-size=160',
        PORT: String(port),
        NATS_URL: nats.url,
        LOG_LEVEL: 'warn',
        PARLEY_CONTENT_KEY: TEST_CONTENT_KEY,
        ...(app === 'gateway'
          ? { PARLEY_ADMIN_TOKEN: ADMIN_TOKEN, PARLEY_JWT_SECRET: JWT_SECRET }
          : { DATABASE_URL: database.url }),
        ...(app === 'gateway' || app === 'delivery' || app === 'mail'
          ? { PARLEY_SECRET_KEY: TEST_SECRET_KEY }
          : {}),
      };
      const child = spawn(process.execPath, ['.'], {
        cwd: packed[app],
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const output: string[] = [];
      child.stdout?.on('data', (chunk) => output.push(String(chunk)));
      child.stderr?.on('data', (chunk) => output.push(String(chunk)));
      children.set(app, { child, port, output });
    };
    const running = (app: App) => {
      const process = children.get(app);
      if (!process) throw new Error(`${app} was not started`);
      return process;
    };
    const ready = async (app: App) => {
      const { child, port, output } = running(app);
      await waitFor(
        `${app} ready`,
        async () => {
          if (child.exitCode !== null)
            throw new Error(`${app} exited with ${child.exitCode}:\n${output.join('')}`);
          return (await fetch(`http://127.0.0.1:${port}/health/ready`)).ok;
        },
        60_000,
        200,
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n--- ${app} output ---\n${output.join('')}`);
      });
    };
    for (const app of APPS) await start(app);
    for (const app of APPS) await ready(app);

    const gateway = `http://127.0.0.1:${running('gateway').port}`;
    // The API documentation UI needs @fastify/static, a peer that no code requires by name.
    const docs = await fetch(`${gateway}/docs`);
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-type')).toContain('text/html');
    expect((await fetch(`${gateway}/docs/openapi.json`)).status).toBe(200);

    // A conversation through all four packed services: gateway → conversation → history.
    const call = async (method: string, path: string, token: string, body?: unknown) => {
      const res = await fetch(`${gateway}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: res.status, body: (await res.json()) as Json };
    };
    const customer = await call('POST', '/v1/customers', ADMIN_TOKEN, { externalId: 'crm-packed' });
    expect(customer.status).toBe(202);
    const opened = await call('POST', '/v1/conversations', customer.body.token, {
      body: 'Packed and shipped?',
    });
    expect(opened.status).toBe(202);
    await waitFor(
      'the message in history',
      async () => {
        const page = await call('GET', `/v1/conversations/${opened.body.id}/messages`, customer.body.token);
        return page.status === 200 && page.body.items.length === 1;
      },
      30_000,
      200,
    );
    const inbox = await call('GET', '/v1/inbox', customer.body.token);
    expect(inbox.status).toBe(200);

    const exits = await Promise.all(
      APPS.map(async (app) => {
        const { child } = running(app);
        const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
        child.kill('SIGTERM');
        return [app, await exited] as const;
      }),
    );
    expect(exits).toEqual(APPS.map((app) => [app, 0]));
  }, 180_000);
});
