// What the gateway, which owns nothing durable, depends on and loads: the workspace's project graph
// as `nx graph` draws it, and the modules the built gateway really requires. Lint (the Nx tags in
// eslint.config.mjs) refuses such imports as they are written; this shows the outcome.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');

interface ProjectGraph {
  nodes: Record<string, unknown>;
  dependencies: Record<string, Array<{ target: string }>>;
}

/** The workspace projects `project` depends on, directly or through others. */
function reachableFrom(graph: ProjectGraph, project: string): Set<string> {
  const reached = new Set<string>();
  const queue = [project];
  while (queue.length) {
    for (const { target } of graph.dependencies[queue.pop() as string] ?? []) {
      if (target in graph.nodes && !reached.has(target)) {
        reached.add(target);
        queue.push(target);
      }
    }
  }
  return reached;
}

/**
 * The files a built app requires before it starts anything: an invalid NATS_URL makes it exit at
 * its first step, once its whole module graph is loaded, without connecting anywhere.
 */
function filesLoadedBy(app: string): string[] {
  const main = join(ROOT, 'dist/apps', app, 'src/main.js');
  const probe =
    "process.on('exit', () => process.stdout.write('\\n' + JSON.stringify(Object.keys(require.cache))));" +
    `require(${JSON.stringify(main)});`;
  const run = spawnSync(process.execPath, ['-e', probe], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, NATS_URL: 'not-a-nats-url' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect([app, run.status, run.stderr]).toEqual([app, 1, expect.stringContaining('NATS_URL')]);
  const loaded: string[] = JSON.parse(run.stdout.trim().split('\n').pop() ?? '[]');
  expect(loaded).toContain(join(ROOT, 'dist/libs/runtime/src/bootstrap.js'));
  return loaded;
}

const DURABLE_STATE = /[\\/](node_modules[\\/](typeorm|pg)|dist[\\/]libs[\\/]persistence)[\\/]/;

describe('module boundaries', () => {
  it('`nx graph`: the gateway does not depend on persistence, and contracts on no other project', () => {
    execFileSync('npx', ['nx', 'graph', '--file=tmp/graph.json'], {
      cwd: ROOT,
      env: { ...process.env, NX_DAEMON: 'false' },
      stdio: 'pipe',
    });
    const { graph } = JSON.parse(readFileSync(join(ROOT, 'tmp/graph.json'), 'utf8')) as {
      graph: ProjectGraph;
    };

    const gateway = reachableFrom(graph, 'gateway');
    expect(gateway).toContain('runtime');
    expect(gateway).not.toContain('persistence');
    expect(reachableFrom(graph, 'conversation')).toContain('persistence');
    expect(reachableFrom(graph, 'contracts')).toEqual(new Set());
  });

  it('the built gateway loads neither persistence nor TypeORM nor pg; a service with a database does', () => {
    expect(filesLoadedBy('gateway').filter((file) => DURABLE_STATE.test(file))).toEqual([]);
    expect(filesLoadedBy('conversation').filter((file) => DURABLE_STATE.test(file))).not.toEqual([]);
  });
});
