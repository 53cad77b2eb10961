import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ConfigureSite, isTimeZone, openingHoursProblem } from './commands';

const settings = (fields: Partial<ConfigureSite>) =>
  plainToInstance(ConfigureSite, {
    siteId: 'site-1',
    timeZone: 'Europe/Berlin',
    hours: [],
    holidays: [],
    expectedReplyMinutes: null,
    notifyDelaySeconds: 120,
    autoReply: null,
    conversationUrl: null,
    issuedBy: { id: 'admin', role: 'admin' },
    acceptedAt: '2026-12-07T10:00:00Z',
    ...fields,
  });
const refused = (fields: Partial<ConfigureSite>) => validateSync(settings(fields)).map((e) => e.property);

describe('a site’s settings', () => {
  it('takes weekly spans within a day, up to four a day', () => {
    const lunch = [
      { day: 1, opens: '09:00', closes: '12:00' },
      { day: 1, opens: '13:00', closes: '17:30' },
    ];
    expect(openingHoursProblem(lunch)).toBeUndefined();
    expect(openingHoursProblem([{ day: 5, opens: '22:00', closes: '02:00' }])).toBe(
      'hours[0] opens at 22:00, which is not before it closes (02:00)',
    );
    expect(openingHoursProblem([{ day: 0, opens: '09:00', closes: '17:00' }])).toMatch(/ISO weekday/);
    expect(openingHoursProblem([{ day: 1, opens: '9:00', closes: '17:00' }])).toBe(
      'hours[0].opens must be HH:MM',
    );
    expect(openingHoursProblem([{ day: 1, opens: '09:00', closes: '24:00' }])).toBe(
      'hours[0].closes must be HH:MM',
    );
    expect(openingHoursProblem([{ day: 1, opens: '09:00', closes: '17:00', note: 'x' }])).toMatch(
      /unknown fields: note/,
    );
    const five = Array.from({ length: 5 }, (_, i) => ({ day: 2, opens: `0${i}:00`, closes: `0${i}:30` }));
    expect(openingHoursProblem(five)).toBe('hours has more than 4 spans on day 2');
    expect(openingHoursProblem('weekdays')).toBe('hours must be an array');
  });

  it('knows IANA time zones', () => {
    expect(['UTC', 'Europe/Berlin', 'America/Argentina/Buenos_Aires'].every(isTimeZone)).toBe(true);
    expect(['Mars/Olympus_Mons', '', 42].some(isTimeZone)).toBe(false);
  });

  it('names each field that is out of bounds', () => {
    expect(refused({})).toEqual([]);
    expect(refused({ timeZone: 'Berlin' })).toEqual(['timeZone']);
    expect(refused({ holidays: Array.from({ length: 101 }, () => '2026-12-24') })).toEqual(['holidays']);
    expect(refused({ holidays: ['2026-13-01'] })).toEqual(['holidays']);
    expect(refused({ expectedReplyMinutes: 10_081 })).toEqual(['expectedReplyMinutes']);
    expect(refused({ notifyDelaySeconds: -1 })).toEqual(['notifyDelaySeconds']);
    expect(refused({ autoReply: 'x'.repeat(2001) })).toEqual(['autoReply']);
    expect(refused({ conversationUrl: 'https://shop.example/help/{conversationId}' })).toEqual([]);
    expect(refused({ conversationUrl: 'https://shop.example/help' })).toEqual(['conversationUrl']);
    expect(refused({ conversationUrl: 'ftp://shop.example/{conversationId}' })).toEqual(['conversationUrl']);
  });
});
