import { preferredWait } from './prefer-wait';

describe('preferredWait', () => {
  it('reads wait=N among other preferences, in any case, up to 30 seconds', () => {
    expect(preferredWait('wait=10')).toBe(10);
    expect(preferredWait('respond-async, wait=5')).toBe(5);
    expect(preferredWait('WAIT = 7')).toBe(7);
    expect(preferredWait('wait="3"')).toBe(3);
    expect(preferredWait('wait=12; strict')).toBe(12);
    expect(preferredWait('wait=100')).toBe(30);
  });

  it('ignores what it cannot honour (RFC 7240)', () => {
    for (const prefer of [
      undefined,
      '',
      'wait=0',
      'wait=soon',
      'wait=-1',
      'handling=strict',
      'waiting=5',
      'wait=1.5',
    ])
      expect([prefer, preferredWait(prefer)]).toEqual([prefer, undefined]);
  });
});
