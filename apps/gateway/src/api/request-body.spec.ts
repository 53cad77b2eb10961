import { InvalidConfiguration, loadConfig } from '@parley/runtime';
import { GatewayEnv } from '../gateway.env';

describe('PARLEY_BODY_LIMIT_BYTES', () => {
  it('is 64 KiB unless set', () => {
    expect(loadConfig(GatewayEnv, { PORT: 3000 }, {}).PARLEY_BODY_LIMIT_BYTES).toBe(65_536);
    expect(
      loadConfig(GatewayEnv, { PORT: 3000 }, { PARLEY_BODY_LIMIT_BYTES: '262144' }).PARLEY_BODY_LIMIT_BYTES,
    ).toBe(262_144);
  });

  it.each(['0', '64KiB', '1000000000'])('refuses %s, naming the variable', (value) => {
    const load = () => loadConfig(GatewayEnv, { PORT: 3000 }, { PARLEY_BODY_LIMIT_BYTES: value });
    expect(load).toThrow(InvalidConfiguration);
    expect(load).toThrow(/PARLEY_BODY_LIMIT_BYTES=/);
  });
});
