import { Injectable } from '@nestjs/common';
import {
  ConversationAssignedData,
  ConversationCreatedData,
  ConversationTransferredData,
  DomainEvent,
  EventTypes,
  StatusChangedData,
  StoredMessageData,
} from '@parley/contracts';
import { DataSource } from 'typeorm';

/** Who a conversation was last placed with: each part with the moment it was decided, or untouched. */
export interface Placement {
  conversationId: string;
  assignee?: { id: string | null; at: string };
  team?: { name: string | null; at: string };
}

/**
 * The latest placement of each conversation among assignments and transfers, in the order given
 * (stream order): a later event wins, unless it says it happened earlier. Every transfer is
 * followed by the assignment it led to, so the assignee comes from assignments, the team from both.
 */
export function placements(
  events: Array<DomainEvent<ConversationAssignedData | ConversationTransferredData>>,
): Placement[] {
  const latest = new Map<string, Placement>();
  for (const event of events) {
    const at = event.occurredAt;
    const conversationId = event.data.conversationId;
    const placed = latest.get(conversationId) ?? { conversationId };
    if (!placed.team || placed.team.at <= at) placed.team = { name: event.data.team, at };
    if (event.type === EventTypes.conversationAssigned && (!placed.assignee || placed.assignee.at <= at))
      placed.assignee = { id: (event.data as ConversationAssignedData).assigneeId, at };
    latest.set(conversationId, placed);
  }
  return [...latest.values()];
}

/**
 * What counts as a first response: a message (not a note) an agent or admin wrote, not the site's
 * automatic reply out of hours.
 */
export function isResponse(message: StoredMessageData): boolean {
  return (
    message.type === 'message' &&
    (message.authorRole === 'agent' || message.authorRole === 'admin') &&
    message.via !== 'automatic'
  );
}

/** The earliest response of each conversation among the messages. */
export function firstResponses(messages: StoredMessageData[]): Map<string, string> {
  const first = new Map<string, string>();
  for (const m of messages.filter(isResponse)) {
    const known = first.get(m.conversationId);
    if (!known || Date.parse(m.createdAt) < Date.parse(known)) first.set(m.conversationId, m.createdAt);
  }
  return first;
}

/**
 * The reports projection (`report_conversations`, `report_status_changes`): per conversation when it
 * was opened and where, who has it, when it was first answered and when resolved. Every write is
 * idempotent and independent of the order events come in: openings are upserts, first responses
 * keep the earliest, placements the latest by their time, and status changes are kept by event id,
 * from which resolution and the unresolved periods are derived again.
 */
@Injectable()
export class ReportProjection {
  constructor(private readonly db: DataSource) {}

  async opened(conversations: ConversationCreatedData[]): Promise<void> {
    const unique = [...new Map(conversations.map((c) => [c.conversationId, c])).values()];
    const ids = unique.map((c) => c.conversationId);
    await this.db.query(
      `INSERT INTO history.report_conversations (conversation_id, opened_at, site_id, unresolved)
       SELECT id, opened_at, site_id, tstzmultirange(tstzrange(opened_at, NULL))
         FROM unnest($1::text[], $2::timestamptz[], $3::text[]) AS o (id, opened_at, site_id)
       ON CONFLICT (conversation_id) DO UPDATE
         SET opened_at = EXCLUDED.opened_at, site_id = EXCLUDED.site_id, unresolved = EXCLUDED.unresolved`,
      [ids, unique.map((c) => c.createdAt), unique.map((c) => c.siteId ?? null)],
    );
    await this.deriveResolution(ids);
  }

  async responded(messages: StoredMessageData[]): Promise<void> {
    const first = firstResponses(messages);
    if (!first.size) return;
    await this.db.query(
      `INSERT INTO history.report_conversations AS c (conversation_id, first_response_at)
       SELECT * FROM unnest($1::text[], $2::timestamptz[])
       ON CONFLICT (conversation_id) DO UPDATE
         SET first_response_at = LEAST(c.first_response_at, EXCLUDED.first_response_at)`,
      [[...first.keys()], [...first.values()]],
    );
  }

  async placed(
    events: Array<DomainEvent<ConversationAssignedData | ConversationTransferredData>>,
  ): Promise<void> {
    const rows = placements(events);
    await this.db.query(
      `INSERT INTO history.report_conversations AS c (conversation_id, assignee_id, assignee_at, team, team_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::timestamptz[])
       ON CONFLICT (conversation_id) DO UPDATE SET
         assignee_id = CASE WHEN EXCLUDED.assignee_at >= c.assignee_at OR c.assignee_at IS NULL
                            THEN EXCLUDED.assignee_id ELSE c.assignee_id END,
         assignee_at = GREATEST(c.assignee_at, EXCLUDED.assignee_at),
         team = CASE WHEN EXCLUDED.team_at >= c.team_at OR c.team_at IS NULL
                     THEN EXCLUDED.team ELSE c.team END,
         team_at = GREATEST(c.team_at, EXCLUDED.team_at)`,
      [
        rows.map((r) => r.conversationId),
        rows.map((r) => r.assignee?.id ?? null),
        rows.map((r) => r.assignee?.at ?? null),
        rows.map((r) => r.team?.name ?? null),
        rows.map((r) => r.team?.at ?? null),
      ],
    );
  }

  async statusChanged(events: Array<DomainEvent<StatusChangedData>>): Promise<void> {
    await this.db.query(
      `INSERT INTO history.report_status_changes (event_id, conversation_id, occurred_at, resolved)
       SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::boolean[])
       ON CONFLICT (event_id) DO NOTHING`,
      [
        events.map((e) => e.id),
        events.map((e) => e.data.conversationId),
        events.map((e) => e.occurredAt),
        events.map((e) => e.data.status === 'resolved'),
      ],
    );
    await this.deriveResolution([...new Set(events.map((e) => e.data.conversationId))]);
  }

  /**
   * From a conversation's status changes in time order: it is resolved from each change to
   * `resolved` until the next change; `resolved_at` is the start of the current resolution (a
   * reopened conversation has none until it is resolved again), and `unresolved` is the rest of the
   * time since it was opened. A conversation not seen opened yet has no unresolved time.
   */
  private async deriveResolution(conversationIds: string[]): Promise<void> {
    await this.db.query(
      `UPDATE history.report_conversations c
          SET resolved_at = s.resolved_at,
              unresolved = CASE WHEN c.opened_at IS NULL THEN '{}'::tstzmultirange
                                ELSE tstzmultirange(tstzrange(c.opened_at, NULL))
                                     - coalesce(s.resolved_periods, '{}'::tstzmultirange) END
         FROM (SELECT conversation_id,
                      range_agg(tstzrange(occurred_at, next_at)) FILTER (WHERE resolved) AS resolved_periods,
                      max(occurred_at) FILTER (WHERE resolved AND next_at IS NULL) AS resolved_at
                 FROM (SELECT conversation_id, occurred_at, resolved,
                              lead(occurred_at) OVER (PARTITION BY conversation_id
                                                      ORDER BY occurred_at, event_id) AS next_at
                         FROM history.report_status_changes
                        WHERE conversation_id = ANY($1::text[])) changes
                GROUP BY conversation_id) s
        WHERE c.conversation_id = s.conversation_id`,
      [conversationIds],
    );
  }
}
