import { randomBytes } from 'node:crypto';
import { IsIn } from 'class-validator';
import {
  DEV_CONTENT_KEY,
  DEV_SECRET_KEY,
  InvalidConfiguration,
  IsSecretKeyRing,
  loadConfig,
  ServiceEnv,
} from './config';

class SealingEnv extends ServiceEnv {
  @IsSecretKeyRing()
  PARLEY_SECRET_KEY = DEV_SECRET_KEY;
}

const messageOf = (load: () => unknown): string => {
  try {
    load();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
};

describe('loadConfig', () => {
  it('uses the contract defaults when nothing is set', () => {
    const config = loadConfig(ServiceEnv, { PORT: 3001 }, {});
    expect(config.NATS_URL).toBe('nats://127.0.0.1:4222');
    expect(config.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/parley');
    expect(config.PORT).toBe(3001);
    expect(config.LOG_FORMAT).toBe('json');
    expect(config.PARLEY_NAMESPACE).toBe('parley');
  });

  it('reads and converts values from the environment; empty values keep the default', () => {
    const config = loadConfig(
      ServiceEnv,
      { PORT: 3001 },
      { PORT: '4100', PARLEY_MAX_DELIVER: '3', LOG_LEVEL: '' },
    );
    expect(config.PORT).toBe(4100);
    expect(config.PARLEY_MAX_DELIVER).toBe(3);
    expect(config.LOG_LEVEL).toBe('info');
  });

  it.each([
    ['PORT', '70000'],
    ['PORT', 'http'],
    ['NATS_URL', 'localhost:4222'],
    ['DATABASE_URL', 'mysql://x/y'],
    ['LOG_LEVEL', 'loud'],
    ['PARLEY_STREAM_REPLICAS', '2'],
    ['LOG_FORMAT', 'yaml'],
    ['PARLEY_NAMESPACE', 'Acme'],
    ['PARLEY_NAMESPACE', 'acme.eu'],
    ['PARLEY_NAMESPACE', 'acme_eu'],
    ['PARLEY_STATEMENT_TIMEOUT_MS', '0'],
    ['PARLEY_STATEMENT_TIMEOUT_MS', '30s'],
  ])('names %s=%s as the reason it cannot start', (name, value) => {
    const load = () => loadConfig(ServiceEnv, { PORT: 3001 }, { [name]: value });
    expect(load).toThrow(InvalidConfiguration);
    expect(load).toThrow(new RegExp(`${name}=`));
  });

  it('accepts a namespace that is one subject token', () => {
    expect(loadConfig(ServiceEnv, { PORT: 3001 }, { PARLEY_NAMESPACE: 'acme-eu2' }).PARLEY_NAMESPACE).toBe(
      'acme-eu2',
    );
  });

  it('refuses pretty logs where pino-pretty is not installed, saying how to get it', () => {
    const load = () => loadConfig(ServiceEnv, { PORT: 3001 }, { LOG_FORMAT: 'pretty' });
    let installed = true;
    try {
      require.resolve('pino-pretty');
    } catch {
      installed = false;
    }
    if (installed) expect(load().LOG_FORMAT).toBe('pretty');
    else expect(load).toThrow(/LOG_FORMAT="pretty": LOG_FORMAT=pretty needs pino-pretty.*npm ci/);
  });

  describe('never quotes a secret it refuses', () => {
    it.each([
      ['PARLEY_SECRET_KEY', `k1:${randomBytes(20).toString('base64')}`],
      ['NATS_PASSWORD', 'too-short-pw'],
      ['PARLEY_SECRET_KEY', 'no-key-id-but-a-long-secret-value'],
    ])('%s is named, its value masked', (name, value) => {
      const message = messageOf(() =>
        loadConfig(SealingEnv, { PORT: 3001 }, { NATS_USER: 'gateway', [name]: value }),
      );
      expect(message).toContain(`${name}=[${value.length} characters`);
      expect(message).not.toContain(value);
      expect(message).not.toContain(value.slice(3, -4));
    });

    it('masks a token, a key or a password of any service, not only those this one knows', () => {
      class TokenEnv extends ServiceEnv {
        @IsIn(['a-very-long-allowed-token-value'])
        PARLEY_ADMIN_TOKEN = 'a-very-long-allowed-token-value';
      }
      const given = 'the-rejected-admin-token-0123456789';
      const message = messageOf(() => loadConfig(TokenEnv, { PORT: 3001 }, { PARLEY_ADMIN_TOKEN: given }));
      expect(message).toContain('PARLEY_ADMIN_TOKEN=[35 characters, ending …6789]');
      expect(message).not.toContain(given);
    });

    it('still quotes what is not secret', () => {
      expect(messageOf(() => loadConfig(ServiceEnv, { PORT: 3001 }, { LOG_LEVEL: 'loud' }))).toContain(
        'LOG_LEVEL="loud"',
      );
    });
  });

  it('needs a password with a NATS user', () => {
    expect(() => loadConfig(ServiceEnv, { PORT: 3001 }, { NATS_USER: 'gateway' })).toThrow(/NATS_PASSWORD=/);
    const config = loadConfig(
      ServiceEnv,
      { PORT: 3001 },
      { NATS_USER: 'gateway', NATS_PASSWORD: 'a-long-enough-password' },
    );
    expect(config.NATS_USER).toBe('gateway');
  });

  it('refuses the public development key ring in production, and a key ring it cannot use', () => {
    expect(loadConfig(SealingEnv, { PORT: 3001 }, {}).PARLEY_SECRET_KEY).toBe(DEV_SECRET_KEY);
    expect(() => loadConfig(SealingEnv, { PORT: 3001 }, { NODE_ENV: 'production' })).toThrow(
      /PARLEY_SECRET_KEY: must be set in production/,
    );
    const key = `k2:${randomBytes(32).toString('base64')}`;
    const contentKey = `c1:${randomBytes(32).toString('base64')}`;
    expect(
      loadConfig(
        SealingEnv,
        { PORT: 3001 },
        { NODE_ENV: 'production', PARLEY_SECRET_KEY: key, PARLEY_CONTENT_KEY: contentKey },
      ).PARLEY_SECRET_KEY,
    ).toBe(key);
    expect(() => loadConfig(SealingEnv, { PORT: 3001 }, { PARLEY_SECRET_KEY: 'k1:c2hvcnQ=' })).toThrow(
      /PARLEY_SECRET_KEY: key k1 is 5 bytes, not 32/,
    );
  });

  it('refuses the public development content key ring in production, in every service', () => {
    expect(loadConfig(ServiceEnv, { PORT: 3001 }, {}).PARLEY_CONTENT_KEY).toBe(DEV_CONTENT_KEY);
    expect(() => loadConfig(ServiceEnv, { PORT: 3001 }, { NODE_ENV: 'production' })).toThrow(
      /PARLEY_CONTENT_KEY: must be set in production/,
    );
    expect(() => loadConfig(ServiceEnv, { PORT: 3001 }, { PARLEY_CONTENT_KEY: 'c1:c2hvcnQ=' })).toThrow(
      /PARLEY_CONTENT_KEY: key c1 is 5 bytes, not 32/,
    );
  });
});
