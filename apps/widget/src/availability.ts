/** Minutes a short reply time is rounded up to: nobody reads "within 7 minutes" as a promise. */
const MINUTE_STEPS = [5, 10, 15, 30];

/**
 * A usual reply time as a person says it: rounded up to 5, 10, 15 or 30 minutes, then whole
 * hours, then whole days.
 */
export function replyTimeText(seconds: number): string {
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  const step = MINUTE_STEPS.find((limit) => minutes <= limit);
  if (step) return `${step} minutes`;
  const hours = Math.ceil(minutes / 60);
  if (hours === 1) return 'an hour';
  if (hours < 24) return `${hours} hours`;
  const days = Math.ceil(hours / 24);
  return days === 1 ? 'a day' : `${days} days`;
}

/**
 * When the team is back, in the visitor's own time zone and language: "today at 14:00",
 * "tomorrow at 09:00", or the weekday ("Monday at 09:00").
 */
export function backAtText(nextOpenAt: Date, now: Date, locale?: string, timeZone?: string): string {
  const day = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  const dayNumber = (at: Date) => Date.parse(`${day.format(at)}T00:00:00Z`) / 86_400_000;
  const time = new Intl.DateTimeFormat(locale, { timeZone, hour: '2-digit', minute: '2-digit' }).format(
    nextOpenAt,
  );
  const ahead = dayNumber(nextOpenAt) - dayNumber(now);
  if (ahead === 0) return `today at ${time}`;
  if (ahead === 1) return `tomorrow at ${time}`;
  const weekday = new Intl.DateTimeFormat(locale, { timeZone, weekday: 'long' }).format(nextOpenAt);
  return `${weekday} at ${time}`;
}
