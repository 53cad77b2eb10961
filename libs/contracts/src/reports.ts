/** How a conversation report cuts its period: each calendar day, or each hour of the day (0–23). */
export const REPORT_GRANULARITIES = ['day', 'hour'] as const;
export type ReportGranularity = (typeof REPORT_GRANULARITIES)[number];

/** The longest period one report covers, in days. */
export const REPORT_MAX_DAYS = 366;

/**
 * `conversationReport`: conversations opened in the days `from` … `to` (both included, `YYYY-MM-DD`
 * in `timeZone`), of one site, team or agent or all. Team and agent are the conversation's latest.
 */
export interface ConversationReportQuery {
  from: string;
  to: string;
  timeZone: string;
  granularity: ReportGranularity;
  siteId?: string;
  team?: string;
  agentId?: string;
}

/**
 * The figures of one bucket. Times are in seconds and count for the bucket the conversation was
 * opened in; null when no conversation of the bucket has one.
 */
export interface ConversationReportFigures {
  /** Conversations opened. */
  volume: number;
  /** Of those, how many an agent has answered. */
  firstResponses: number;
  firstResponseMedianSeconds: number | null;
  firstResponseP90Seconds: number | null;
  /** Of those, how many are resolved now. */
  resolutions: number;
  resolutionMedianSeconds: number | null;
  resolutionP90Seconds: number | null;
  /**
   * Conversations not resolved at the end of the bucket: for a day, at its end; for an hour of the
   * day, the mean over the period's days at the end of that hour; for the whole period, at its end.
   */
  backlog: number;
}

export interface ConversationReportBucket extends ConversationReportFigures {
  /** `YYYY-MM-DD` for days, `0` … `23` for hours of the day. */
  bucket: string;
}

export interface ConversationReport {
  from: string;
  to: string;
  timeZone: string;
  granularity: ReportGranularity;
  buckets: ConversationReportBucket[];
  /** The whole period. */
  total: ConversationReportFigures;
}

/** The columns of a report's CSV, in order: the bucket's key, then its figures. */
export const CONVERSATION_REPORT_COLUMNS: Array<keyof ConversationReportBucket> = [
  'bucket',
  'volume',
  'firstResponses',
  'firstResponseMedianSeconds',
  'firstResponseP90Seconds',
  'resolutions',
  'resolutionMedianSeconds',
  'resolutionP90Seconds',
  'backlog',
];
