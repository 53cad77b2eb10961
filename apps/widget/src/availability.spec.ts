import { backAtText, replyTimeText } from './availability';

describe('replyTimeText', () => {
  it.each([
    [20, '5 minutes'],
    [300, '5 minutes'],
    [301, '10 minutes'],
    [14 * 60, '15 minutes'],
    [22 * 60, '30 minutes'],
    [31 * 60, 'an hour'],
    [3600, 'an hour'],
    [3601, '2 hours'],
    [23 * 3600, '23 hours'],
    [24 * 3600, 'a day'],
    [50 * 3600, '3 days'],
  ])('says %i s as "%s"', (seconds, text) => expect(replyTimeText(seconds)).toBe(text));
});

describe('backAtText', () => {
  const now = new Date('2026-12-11T17:00:00Z'); // a Friday

  it('names today and tomorrow, else the weekday, at the visitor’s clock time', () => {
    expect(backAtText(new Date('2026-12-11T19:30:00Z'), now, 'en-GB', 'UTC')).toBe('today at 19:30');
    expect(backAtText(new Date('2026-12-12T08:00:00Z'), now, 'en-GB', 'UTC')).toBe('tomorrow at 08:00');
    expect(backAtText(new Date('2026-12-14T08:00:00Z'), now, 'en-GB', 'UTC')).toBe('Monday at 08:00');
  });

  it('reads the day in the visitor’s time zone', () => {
    // 23:30 UTC on Friday is already Saturday 08:30 in Tokyo, the day after 02:00 Saturday there.
    expect(backAtText(new Date('2026-12-11T23:30:00Z'), now, 'en-GB', 'Asia/Tokyo')).toBe('today at 08:30');
  });
});
