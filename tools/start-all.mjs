// Runs the four services as separate OS processes, prefixes their output, and stops them all
// (SIGTERM, so each drains) when this launcher is stopped or any one of them exits.
import { spawn } from 'node:child_process';

const services = ['gateway', 'conversation', 'delivery', 'history'];
const children = new Map();
let stopping = false;

function stopAll(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children.values()) child.kill('SIGTERM');
  const timer = setTimeout(() => process.exit(code), 25_000);
  timer.unref();
  const check = setInterval(() => {
    if ([...children.values()].every((c) => c.exitCode !== null || c.signalCode !== null)) {
      clearInterval(check);
      process.exit(code);
    }
  }, 100);
}

for (const name of services) {
  const child = spawn(process.execPath, [`dist/apps/${name}/src/main.js`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // The production image's heap limit (Dockerfile), unless NODE_OPTIONS says otherwise.
    env: { NODE_OPTIONS: '--max-old-space-size=160', ...process.env },
  });
  children.set(name, child);
  const prefix = `[${name}]`.padEnd(15);
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream.on('data', (chunk) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop();
      for (const line of lines) process.stdout.write(`${prefix}${line}\n`);
    });
  }
  child.on('exit', (code, signal) => {
    process.stdout.write(`${prefix}exited (${signal ?? code})\n`);
    stopAll(stopping ? 0 : 1);
  });
}

process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));
