import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM, DOCKER_COMPOSE, missingPrerequisite, requirePrerequisite } from './prerequisites';

describe('test prerequisites', () => {
  let bin: string;

  beforeAll(() => {
    bin = mkdtempSync(join(tmpdir(), 'parley-prerequisites-'));
    writeFileSync(join(bin, 'docker-compose'), '#!/bin/sh\n');
    chmodSync(join(bin, 'docker-compose'), 0o755);
    writeFileSync(join(bin, 'chromium'), 'not executable');
  });

  afterAll(() => rmSync(bin, { recursive: true, force: true }));

  it('names a missing program at its path with the command that installs it', () => {
    const chromium = { ...CHROMIUM, program: join(bin, 'chromium') };
    expect(missingPrerequisite(chromium)).toBe(
      `Chromium not found at ${join(bin, 'chromium')}: install it with \`sudo apt-get install -y chromium\``,
    );
    expect(() => requirePrerequisite({ ...CHROMIUM, program: '/nowhere/chromium' })).toThrow(
      'Chromium not found at /nowhere/chromium: install it with `sudo apt-get install -y chromium`',
    );
  });

  it('looks a bare command up on PATH', () => {
    expect(missingPrerequisite(DOCKER_COMPOSE, `/nowhere:${bin}`)).toBeUndefined();
    expect(missingPrerequisite(DOCKER_COMPOSE, '/nowhere')).toBe(
      'docker-compose not found on PATH: install it with `sudo apt-get install -y docker-compose`',
    );
  });
});
