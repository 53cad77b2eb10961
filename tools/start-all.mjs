// Runs the five services as separate OS processes, prefixes their output, and stops them all
// (SIGTERM, so each drains) when this launcher is stopped or any one of them exits. Each listens on
// PARLEY_<SERVICE>_PORT when that is set, else on its own default (3000 to 3004). At a terminal the
// services write readable lines (LOG_FORMAT=pretty, in colour) unless LOG_FORMAT says otherwise.
import { spawn } from 'node:child_process';

const services = ['gateway', 'conversation', 'delivery', 'history', 'mail'];

/** The service's port from PARLEY_<SERVICE>_PORT, or undefined for its default. */
function portOf(name) {
  const variable = `PARLEY_${name.toUpperCase()}_PORT`;
  const value = process.env[variable];
  if (value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 65535) {
    process.stderr.write(`${variable}=${JSON.stringify(value)}: must be a port number (1 to 65535)\n`);
    process.exit(1);
  }
  return value;
}

const ports = new Map(services.map((name) => [name, portOf(name)]));
const atTerminal = process.stdout.isTTY && !process.env.LOG_FORMAT;
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
  // PORT is per service: one set in the shell would make all five ask for the same port.
  const { PORT: _shared, ...env } = process.env;
  const child = spawn(process.execPath, [`dist/apps/${name}/src/main.js`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      // The production image's heap limit (Dockerfile), unless NODE_OPTIONS says otherwise.
      NODE_OPTIONS: '--max-old-space-size=160',
      ...env,
      ...(ports.get(name) ? { PORT: ports.get(name) } : {}),
      // Replies by email on this machine: one mail process, so its SMTP listener has the port to itself.
      ...(name === 'mail' ? { PARLEY_MAIL_SMTP_PORT: env.PARLEY_MAIL_SMTP_PORT ?? '2525' } : {}),
      // The children write into pipes; the colour and the readable lines are for this terminal.
      ...(atTerminal ? { LOG_FORMAT: 'pretty', FORCE_COLOR: env.FORCE_COLOR ?? '1' } : {}),
    },
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
