import { ConversationReport } from '@parley/contracts';
import { conversationReportCsv, conversationReportFileName } from './report-csv';

const figures = {
  volume: 6,
  firstResponses: 5,
  firstResponseMedianSeconds: 90,
  firstResponseP90Seconds: 228.5,
  resolutions: 0,
  resolutionMedianSeconds: null,
  resolutionP90Seconds: null,
  backlog: 1.5,
};
const report: ConversationReport = {
  from: '2026-03-02',
  to: '2026-03-03',
  timeZone: 'UTC',
  granularity: 'day',
  buckets: [{ bucket: '2026-03-02', ...figures }],
  total: figures,
};

describe('conversationReportCsv', () => {
  it('writes a header of the field names and a row per bucket, null as an empty cell', () => {
    expect(conversationReportCsv(report)).toBe(
      'bucket,volume,firstResponses,firstResponseMedianSeconds,firstResponseP90Seconds,resolutions,resolutionMedianSeconds,resolutionP90Seconds,backlog\r\n' +
        '2026-03-02,6,5,90,228.5,0,,,1.5\r\n',
    );
  });

  it('names the file by period and granularity', () => {
    expect(conversationReportFileName(report)).toBe('conversations-2026-03-02-2026-03-03-by-day.csv');
  });
});
