import { InvalidConfiguration, loadConfig, ServiceEnv } from './config';

describe('loadConfig', () => {
  it('uses the contract defaults when nothing is set', () => {
    const config = loadConfig(ServiceEnv, { PORT: 3001 }, {});
    expect(config.NATS_URL).toBe('nats://127.0.0.1:4222');
    expect(config.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/parley');
    expect(config.PORT).toBe(3001);
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
  ])('names %s=%s as the reason it cannot start', (name, value) => {
    const load = () => loadConfig(ServiceEnv, { PORT: 3001 }, { [name]: value });
    expect(load).toThrow(InvalidConfiguration);
    expect(load).toThrow(new RegExp(`${name}=`));
  });
});
