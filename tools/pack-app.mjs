#!/usr/bin/env node
// Packs one built app into a self-contained folder, exactly as the Docker image ships it:
//
//   node tools/pack-app.mjs <app> <outDir> [--install]
//
// - copies dist/apps/<app> and dist/libs (all libs but testing; JavaScript only, no source maps),
//   and for the gateway the built browser apps it serves (dist/apps/console, dist/apps/widget);
// - writes a package.json whose dependencies are only the packages that the app's compiled code
//   actually loads: the bare `require(...)` calls reachable from main.js (following relative
//   requires into the libs), plus the peer dependencies of those packages that the root
//   package.json lists as runtime dependencies (pg for typeorm, pino-http for nestjs-pino,
//   @fastify/static for @nestjs/swagger's UI, reflect-metadata and rxjs for NestJS, …), with the
//   root's version ranges;
// - copies the root package-lock.json and prunes it to those dependencies
//   (`npm install --package-lock-only --omit=dev`), keeping every locked version;
// - with --install, runs `npm ci --omit=dev` in outDir (the Dockerfile does that in its own stage).
//
// `node .` in outDir then starts the app (package.json "main").
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const EXCLUDED_LIBS = new Set(['testing']);
/** Static builds an app serves, found beside its own folder (apps/gateway/src/web/web-apps.ts). */
const SERVED_WEB_APPS = { gateway: ['console', 'widget'] };

function fail(message) {
  process.stderr.write(`pack-app: ${message}\n`);
  process.exit(1);
}

const args = process.argv.slice(2);
const install = args.includes('--install');
const [app, outArg] = args.filter((a) => !a.startsWith('--'));
if (!app || !outArg) fail('usage: node tools/pack-app.mjs <app> <outDir> [--install]');
if (!/^[a-z][a-z0-9-]*$/.test(app)) fail(`"${app}" is not an app name`);
const outDir = resolve(outArg);
const entry = join(DIST, 'apps', app, 'src', 'main.js');
if (!existsSync(join(ROOT, 'apps', app))) fail(`there is no app "${app}" in apps/`);
if (!existsSync(entry)) fail(`${relative(ROOT, entry)} is missing: run \`npm run build\` first`);

const rootPackage = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const runtimeDeps = rootPackage.dependencies ?? {};
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** A bare specifier's package: `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function resolveRelative(fromFile, specifier) {
  const base = resolve(dirname(fromFile), specifier);
  for (const candidate of [base, `${base}.js`, join(base, 'index.js')]) {
    if (existsSync(candidate) && candidate.endsWith('.js')) return candidate;
  }
  if (existsSync(`${base}.json`)) return `${base}.json`;
  fail(`${relative(ROOT, fromFile)} requires "${specifier}", which is not in dist/`);
}

// 1. The module graph of the compiled app: relative requires are followed, bare ones collected.
const REQUIRE = /\brequire\(\s*(["'])([^"']+)\1\s*\)/g;
const files = new Set();
const required = new Map(); // package → first file that requires it
const queue = [entry];
while (queue.length) {
  const file = queue.pop();
  if (files.has(file)) continue;
  files.add(file);
  if (!file.endsWith('.js')) continue;
  for (const [, , specifier] of readFileSync(file, 'utf8').matchAll(REQUIRE)) {
    if (specifier.startsWith('.') || specifier.startsWith('/')) {
      const target = resolveRelative(file, specifier);
      if (!target.startsWith(DIST + '/')) fail(`${relative(ROOT, file)} reaches outside dist/: ${specifier}`);
      queue.push(target);
    } else if (!builtins.has(specifier) && !builtins.has(packageOf(specifier))) {
      const name = packageOf(specifier);
      if (!required.has(name)) required.set(name, relative(DIST, file));
    }
  }
}

const reasons = new Map();
for (const [name, file] of required) {
  if (!runtimeDeps[name]) {
    fail(`${file} requires "${name}", which is not in the root package.json "dependencies"`);
  }
  reasons.set(name, `required by ${file}`);
}

// 2. Peers: a package may load another one that it declares as a peer (typeorm → pg, nestjs-pino →
// pino-http, @nestjs/swagger → @fastify/static). Every such peer that the root lists as a runtime
// dependency is kept, until nothing new is added.
function manifest(name) {
  const file = join(ROOT, 'node_modules', name, 'package.json');
  if (!existsSync(file)) fail(`node_modules/${name} is missing: run \`npm ci\` first`);
  return JSON.parse(readFileSync(file, 'utf8'));
}
const pending = [...reasons.keys()];
while (pending.length) {
  const name = pending.pop();
  for (const peer of Object.keys(manifest(name).peerDependencies ?? {})) {
    if (runtimeDeps[peer] && !reasons.has(peer)) {
      reasons.set(peer, `peer of ${name}`);
      pending.push(peer);
    }
  }
}

// 3. The folder: compiled JavaScript of the app and the libs, a package.json, the pruned lockfile.
mkdirSync(outDir, { recursive: true });
const leftovers = readdirSync(outDir).filter((f) => f !== 'node_modules');
if (leftovers.length) fail(`${outDir} is not empty (${leftovers.slice(0, 3).join(', ')}…)`);

const onlyJs = (src) => !src.endsWith('.map') && !src.endsWith('.tsbuildinfo') && !src.endsWith('.d.ts');
cpSync(join(DIST, 'apps', app), join(outDir, 'apps', app), { recursive: true, filter: onlyJs });
for (const lib of readdirSync(join(DIST, 'libs'))) {
  if (EXCLUDED_LIBS.has(lib)) continue;
  cpSync(join(DIST, 'libs', lib), join(outDir, 'libs', lib), { recursive: true, filter: onlyJs });
}
for (const web of SERVED_WEB_APPS[app] ?? []) {
  const built = join(DIST, 'apps', web);
  if (!existsSync(join(built, 'index.html')))
    fail(`dist/apps/${web} is missing: run \`npm run build\` first`);
  cpSync(built, join(outDir, 'apps', web), { recursive: true, filter: onlyJs });
}
for (const file of files) {
  if (!existsSync(join(outDir, relative(DIST, file)))) {
    fail(`${relative(DIST, file)} is needed by ${app} but was not copied (is it in an excluded lib?)`);
  }
}

const dependencies = Object.fromEntries([...reasons.keys()].sort().map((name) => [name, runtimeDeps[name]]));
const appPackage = {
  name: `@parley/${app}`,
  version: rootPackage.version,
  private: true,
  description: `Parley ${app} service (production build, generated by tools/pack-app.mjs)`,
  license: rootPackage.license,
  engines: rootPackage.engines,
  main: `apps/${app}/src/main.js`,
  scripts: { start: 'node .' },
  dependencies,
};
writeFileSync(join(outDir, 'package.json'), `${JSON.stringify(appPackage, null, 2)}\n`);
copyFileSync(join(ROOT, 'package-lock.json'), join(outDir, 'package-lock.json'));

const npm = (...npmArgs) =>
  execFileSync('npm', [...npmArgs, '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], {
    cwd: outDir,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
// Keeps the locked versions and drops everything this app does not need (dev tools, other apps' deps).
npm('install', '--package-lock-only', '--omit=dev', '--prefer-offline');
if (install) npm('ci', '--omit=dev', '--prefer-offline');

const width = Math.max(...Object.keys(dependencies).map((n) => n.length));
process.stdout.write(`packed ${app} into ${outDir} (${files.size} modules)\n`);
for (const name of Object.keys(dependencies)) {
  process.stdout.write(`  ${name.padEnd(width)}  ${dependencies[name].padEnd(9)} ${reasons.get(name)}\n`);
}
