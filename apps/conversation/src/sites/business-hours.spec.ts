import { availabilityAt, BusinessHours } from './business-hours';

const weekdays = (opens: string, closes: string) => [1, 2, 3, 4, 5].map((day) => ({ day, opens, closes }));

const berlin: BusinessHours = { timeZone: 'Europe/Berlin', hours: weekdays('09:00', '17:00'), holidays: [] };

describe('availabilityAt', () => {
  it('is open around the clock without hours', () => {
    const always = { timeZone: 'UTC', hours: [], holidays: ['2026-12-25'] };
    expect(availabilityAt(always, new Date('2026-12-25T03:00:00Z'))).toEqual({
      open: true,
      nextOpenAt: null,
    });
  });

  it('is open within a span, in the site’s time zone', () => {
    // Tuesday 09:30 in Berlin (UTC+1 in winter) is 08:30 UTC.
    expect(availabilityAt(berlin, new Date('2026-12-08T08:30:00Z'))).toEqual({
      open: true,
      nextOpenAt: null,
    });
    // 08:30 UTC is still closed in New York.
    const newYork = { ...berlin, timeZone: 'America/New_York' };
    expect(availabilityAt(newYork, new Date('2026-12-08T08:30:00Z'))).toEqual({
      open: false,
      nextOpenAt: new Date('2026-12-08T14:00:00Z'),
    });
  });

  it('closes at closing time, and opens later the same day between spans', () => {
    const lunch = {
      ...berlin,
      hours: [
        { day: 2, opens: '13:00', closes: '17:00' },
        { day: 2, opens: '09:00', closes: '12:00' },
      ],
    };
    expect(availabilityAt(lunch, new Date('2026-12-08T11:00:00Z'))).toEqual({
      open: false,
      nextOpenAt: new Date('2026-12-08T12:00:00Z'),
    });
    expect(availabilityAt(berlin, new Date('2026-12-08T16:00:00Z')).open).toBe(false);
  });

  it('is back on Monday morning after a weekend', () => {
    // Friday 18:00 Berlin.
    expect(availabilityAt(berlin, new Date('2026-12-11T17:00:00Z'))).toEqual({
      open: false,
      nextOpenAt: new Date('2026-12-14T08:00:00Z'),
    });
  });

  it('skips holidays, dated in the site’s time zone', () => {
    const christmas = { ...berlin, holidays: ['2026-12-24', '2026-12-25'] };
    // Thursday 24th, 10:00 Berlin: a holiday; Friday too; back Monday 28th.
    expect(availabilityAt(christmas, new Date('2026-12-24T09:00:00Z'))).toEqual({
      open: false,
      nextOpenAt: new Date('2026-12-28T08:00:00Z'),
    });
    // 23:30 UTC on the 23rd is already the 24th in Berlin.
    expect(availabilityAt(christmas, new Date('2026-12-23T23:30:00Z')).nextOpenAt).toEqual(
      new Date('2026-12-28T08:00:00Z'),
    );
  });

  it('follows daylight saving time', () => {
    // Berlin moves to UTC+2 on Sunday 29 March 2026: Monday 09:00 is 07:00 UTC, not 08:00.
    expect(availabilityAt(berlin, new Date('2026-03-28T12:00:00Z')).nextOpenAt).toEqual(
      new Date('2026-03-30T07:00:00Z'),
    );
    // Hours in the skipped hour (02:00–03:00 that Sunday) open when the clock lands after it.
    const night = {
      timeZone: 'Europe/Berlin',
      hours: [{ day: 7, opens: '02:30', closes: '04:00' }],
      holidays: [],
    };
    expect(availabilityAt(night, new Date('2026-03-28T12:00:00Z')).nextOpenAt).toEqual(
      new Date('2026-03-29T01:30:00Z'),
    );
  });

  it('finds the next opening past holidays that take out whole weeks', () => {
    const mondays = {
      timeZone: 'UTC',
      hours: [{ day: 1, opens: '09:00', closes: '10:00' }],
      holidays: ['2026-12-14', '2026-12-21', '2026-12-28'],
    };
    // Monday 7th after closing: the next three Mondays are holidays.
    expect(availabilityAt(mondays, new Date('2026-12-07T12:00:00Z'))).toEqual({
      open: false,
      nextOpenAt: new Date('2027-01-04T09:00:00Z'),
    });
  });
});
