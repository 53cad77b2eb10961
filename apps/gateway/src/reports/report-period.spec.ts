import { BadRequestException } from '@nestjs/common';
import { conversationReportQuery } from './report-period';

const NOW = new Date('2026-12-07T23:30:00Z');

describe('conversationReportQuery', () => {
  it('covers the week up to today in UTC by day when told nothing', () => {
    expect(conversationReportQuery({}, NOW)).toEqual({
      from: '2026-12-01',
      to: '2026-12-07',
      timeZone: 'UTC',
      granularity: 'day',
      siteId: undefined,
      team: undefined,
      agentId: undefined,
    });
  });

  it('takes today in the time zone asked for', () => {
    expect(conversationReportQuery({ timeZone: 'Europe/Berlin' }, NOW)).toMatchObject({
      from: '2026-12-02',
      to: '2026-12-08',
      timeZone: 'Europe/Berlin',
    });
  });

  it('keeps the days, granularity and filters given', () => {
    const request = { from: '2026-11-01', to: '2026-11-30', granularity: 'hour' as const, team: 'billing' };
    expect(conversationReportQuery(request, NOW)).toMatchObject({ ...request, timeZone: 'UTC' });
  });

  it('refuses a period that ends before it starts, or is longer than a year', () => {
    expect(() => conversationReportQuery({ from: '2026-12-02', to: '2026-12-01' }, NOW)).toThrow(
      BadRequestException,
    );
    expect(() => conversationReportQuery({ from: '2025-01-01', to: '2026-12-01' }, NOW)).toThrow(
      /at most 366 days/,
    );
    expect(conversationReportQuery({ from: '2024-01-01', to: '2024-12-31' }, NOW).from).toBe('2024-01-01');
  });
});
