import { BadRequestException } from '@nestjs/common';
import { DateTime } from 'luxon';
import { ConversationReportQuery, REPORT_MAX_DAYS } from '@parley/contracts';
import { ConversationReportRequest } from './reports.dto';

/** Days a report covers when it is not told: the last week, today included. */
const DEFAULT_DAYS = 7;

/**
 * The query a report request stands for: the period's days in its time zone (by default the week
 * up to today there), at most REPORT_MAX_DAYS of them, `from` not after `to`.
 */
export function conversationReportQuery(
  request: ConversationReportRequest,
  now: Date,
): ConversationReportQuery {
  const timeZone = request.timeZone ?? 'UTC';
  const day = (text: string) => DateTime.fromISO(text, { zone: timeZone });
  const to = request.to ? day(request.to) : DateTime.fromJSDate(now, { zone: timeZone }).startOf('day');
  const from = request.from ? day(request.from) : to.minus({ days: DEFAULT_DAYS - 1 });
  if (from > to) throw new BadRequestException('`from` must not be after `to`.');
  const days = to.diff(from, 'days').days + 1;
  if (Math.round(days) > REPORT_MAX_DAYS)
    throw new BadRequestException(
      `A report covers at most ${REPORT_MAX_DAYS} days; this one asks for ${Math.round(days)}.`,
    );
  return {
    from: from.toFormat('yyyy-MM-dd'),
    to: to.toFormat('yyyy-MM-dd'),
    timeZone,
    granularity: request.granularity ?? 'day',
    siteId: request.siteId,
    team: request.team,
    agentId: request.agentId,
  };
}
