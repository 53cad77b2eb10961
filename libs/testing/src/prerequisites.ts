import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** A program some tests need beyond Node.js, NATS and PostgreSQL, and the command that installs it. */
export interface Prerequisite {
  name: string;
  /** A path, or a command looked up on PATH. */
  program: string;
  install: string;
}

/** e2e/web.e2e-spec.ts drives Debian's Chromium with playwright-core, which brings no browser. */
export const CHROMIUM: Prerequisite = {
  name: 'Chromium',
  program: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  install: 'sudo apt-get install -y chromium',
};

/** e2e/deploy.e2e-spec.ts validates docker-compose.yml offline (`docker-compose config -q`). */
export const DOCKER_COMPOSE: Prerequisite = {
  name: 'docker-compose',
  program: 'docker-compose',
  install: 'sudo apt-get install -y docker-compose',
};

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Why the program cannot be run, with the command that installs it; undefined when it can. */
export function missingPrerequisite(
  { name, program, install }: Prerequisite,
  path = process.env.PATH ?? '',
): string | undefined {
  const onPath = !program.includes('/');
  const found = onPath
    ? path.split(delimiter).some((dir) => dir && isExecutable(join(dir, program)))
    : isExecutable(program);
  if (found) return undefined;
  return `${name} not found ${onPath ? 'on PATH' : `at ${program}`}: install it with \`${install}\``;
}

/** Fails the test file at once, rather than at the first step that needs the program. */
export function requirePrerequisite(prerequisite: Prerequisite): void {
  const missing = missingPrerequisite(prerequisite);
  if (missing) throw new Error(missing);
}
