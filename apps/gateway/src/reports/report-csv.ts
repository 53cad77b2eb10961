import { CONVERSATION_REPORT_COLUMNS, ConversationReport } from '@parley/contracts';

/**
 * A report's buckets as CSV (RFC 4180, CRLF): a header of the JSON field names, then one row per
 * bucket with the same numbers; an empty cell where JSON has null.
 */
export function conversationReportCsv(report: ConversationReport): string {
  const rows = report.buckets.map((bucket) =>
    CONVERSATION_REPORT_COLUMNS.map((column) => String(bucket[column] ?? '')).join(','),
  );
  return [CONVERSATION_REPORT_COLUMNS.join(','), ...rows].map((line) => `${line}\r\n`).join('');
}

/** The name a downloaded report is saved under. */
export function conversationReportFileName(report: ConversationReport): string {
  return `conversations-${report.from}-${report.to}-by-${report.granularity}.csv`;
}
