import { afterSendFailure } from './send-outcome';

const schedule = [5, 30];
const replied = (code: number) => Object.assign(new Error(`${code} refused`), { responseCode: code });
const lineBroke = () => Object.assign(new Error('Connection closed unexpectedly'), { code: 'ECONNECTION' });

describe('afterSendFailure', () => {
  it('retries what failed before the message was handed over, after the schedule entry of that attempt', () => {
    expect(afterSendFailure(lineBroke(), false, 1, schedule)).toEqual({
      outcome: 'retried',
      delaySeconds: 5,
    });
    expect(afterSendFailure(replied(421), false, 2, schedule)).toEqual({
      outcome: 'retried',
      delaySeconds: 30,
    });
  });

  it('never resends a message handed over when the line broke without an answer', () => {
    expect(afterSendFailure(lineBroke(), true, 1, schedule)).toEqual({ outcome: 'in_doubt' });
  });

  it('retries a handed-over message the server answered with 4xx: it did not take it', () => {
    expect(afterSendFailure(replied(451), true, 1, schedule)).toEqual({
      outcome: 'retried',
      delaySeconds: 5,
    });
  });

  it('fails on a 5xx answer, and once the schedule is spent', () => {
    expect(afterSendFailure(replied(550), false, 1, schedule)).toEqual({ outcome: 'failed' });
    expect(afterSendFailure(replied(554), true, 1, schedule)).toEqual({ outcome: 'failed' });
    expect(afterSendFailure(lineBroke(), false, 3, schedule)).toEqual({ outcome: 'failed' });
  });
});
