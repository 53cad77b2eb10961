import { InvalidConfiguration, loadConfig, ServiceEnv } from './config';

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
});
