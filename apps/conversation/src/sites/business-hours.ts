import type { OpeningHours } from '@parley/contracts';
import { DateTime } from 'luxon';

/** What deciding whether a team is in needs of a site's settings. */
export interface BusinessHours {
  timeZone: string;
  /** Empty: open around the clock. */
  hours: OpeningHours[];
  /** `YYYY-MM-DD` in the site's time zone: closed all day. */
  holidays: string[];
}

export interface Availability {
  open: boolean;
  /** Null while open (with hours, an opening always lies within `lookAheadDays`). */
  nextOpenAt: Date | null;
}

/**
 * How far ahead the next opening can be: each holiday (a bounded list) can take out the only
 * opening day of a week, so a week per holiday, a week more, and today.
 */
const lookAheadDays = (site: BusinessHours) => 7 * (site.holidays.length + 1) + 1;

/** A clock time `HH:MM` on the given day in the site's zone; in a DST gap luxon moves it forward. */
function at(day: DateTime, time: string): DateTime {
  const [hour, minute] = time.split(':').map(Number);
  return day.set({ hour, minute, second: 0, millisecond: 0 });
}

/** The day's opening spans in order, none on a holiday. */
function spansOn(site: BusinessHours, day: DateTime): Array<{ opens: DateTime; closes: DateTime }> {
  if (site.holidays.includes(day.toISODate() ?? '')) return [];
  return site.hours
    .filter((span) => span.day === day.weekday)
    .map((span) => ({ opens: at(day, span.opens), closes: at(day, span.closes) }))
    .sort((a, b) => a.opens.toMillis() - b.opens.toMillis());
}

/** Whether the site's team is in at `now`, and if not, when it is back. */
export function availabilityAt(site: BusinessHours, now: Date): Availability {
  if (!site.hours.length) return { open: true, nextOpenAt: null };
  const local = DateTime.fromJSDate(now, { zone: site.timeZone });
  const today = local.startOf('day');
  for (let offset = 0; offset < lookAheadDays(site); offset++) {
    for (const span of spansOn(site, today.plus({ days: offset }))) {
      if (span.closes <= local) continue;
      if (span.opens <= local) return { open: true, nextOpenAt: null };
      return { open: false, nextOpenAt: span.opens.toJSDate() };
    }
  }
  return { open: false, nextOpenAt: null };
}
