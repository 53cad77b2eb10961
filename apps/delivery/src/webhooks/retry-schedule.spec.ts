import { afterAttempt } from './retry-schedule';

const schedule = [5, 30, 120];

describe('afterAttempt', () => {
  it('ends a delivery on any 2xx answer, whichever attempt it was', () => {
    expect(afterAttempt(1, 200, schedule)).toEqual({ status: 'succeeded' });
    expect(afterAttempt(4, 299, schedule)).toEqual({ status: 'succeeded' });
  });

  it('retries a non-2xx answer or no answer after the schedule entry of that attempt', () => {
    const middle = () => 0.5;
    expect(afterAttempt(1, 500, schedule, middle)).toEqual({ status: 'pending', retryInMs: 5_000 });
    expect(afterAttempt(2, null, schedule, middle)).toEqual({ status: 'pending', retryInMs: 30_000 });
    expect(afterAttempt(3, 302, schedule, middle)).toEqual({ status: 'pending', retryInMs: 120_000 });
  });

  it('spreads each wait by up to 20% either way', () => {
    expect(afterAttempt(2, 503, schedule, () => 0)).toEqual({ status: 'pending', retryInMs: 24_000 });
    expect(afterAttempt(2, 503, schedule, () => 0.999999)).toEqual({ status: 'pending', retryInMs: 36_000 });
  });

  it('fails a delivery once every wait of the schedule has been spent', () => {
    expect(afterAttempt(4, 500, schedule)).toEqual({ status: 'failed' });
    expect(afterAttempt(1, null, [])).toEqual({ status: 'failed' });
  });
});
