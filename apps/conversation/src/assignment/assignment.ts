import { Injectable } from '@nestjs/common';
import { ConversationAssignedData, DomainEvent, EventTypes } from '@parley/contracts';
import { EntityManager } from 'typeorm';
import { Conversation } from '../conversations/conversation.entity';
import { conversationEvent } from '../events/conversation-events';

/** Queue order: highest priority first, then the longest waiting. */
export const PRIORITY_RANK = `CASE c.priority WHEN 'urgent' THEN 4 WHEN 'high' THEN 3 WHEN 'normal' THEN 2 ELSE 1 END`;

/** Counted against capacity: what an agent is actively working on. */
export const LOAD_STATUSES = ['open', 'pending'];

/**
 * Who handles a conversation. Automatic assignment prefers the agent who last handled the
 * customer when they are online with free capacity, then the least-loaded online agent with free
 * capacity; otherwise the conversation waits in the queue. Manual assignment always wins.
 */
@Injectable()
export class Assignment {
  /** Serializes assignment decisions across replicas so no agent is given more than their capacity. */
  private async lock(em: EntityManager): Promise<void> {
    await em.query("SELECT pg_advisory_xact_lock(hashtext('parley:assignment'))");
  }

  private async pickAgent(
    em: EntityManager,
    customerId: string | null,
    team: string | null,
  ): Promise<string | null> {
    const rows: Array<{ id: string }> = await em.query(
      `SELECT a.id
         FROM conversation.agents a
         LEFT JOIN conversation.customer_agents ca ON ca.customer_id = $1
         CROSS JOIN LATERAL (
           SELECT count(*)::int AS load FROM conversation.conversations c
            WHERE c.assignee_id = a.id AND c.status = ANY($3::text[])
         ) l
        WHERE a.presence = 'online' AND l.load < a.capacity AND ($2::text IS NULL OR $2 = ANY(a.teams))
        ORDER BY (a.id = ca.agent_id) DESC NULLS LAST, l.load ASC, a.last_assigned_at ASC NULLS FIRST, a.id
        LIMIT 1`,
      [customerId, team, LOAD_STATUSES],
    );
    return rows[0]?.id ?? null;
  }

  /** Sets the assignee (null: back to the queue) and records the event when it changed. */
  async assign(
    em: EntityManager,
    conversation: Conversation,
    agentId: string | null,
    assignedBy: string,
    cause: string,
    events: DomainEvent<object>[],
  ): Promise<void> {
    const previous = conversation.assigneeId;
    conversation.assigneeId = agentId;
    if (agentId) conversation.queuedAt = null;
    else if (previous !== null || !conversation.queuedAt) conversation.queuedAt = new Date();
    await em.update(
      Conversation,
      { id: conversation.id },
      { assigneeId: agentId, queuedAt: conversation.queuedAt },
    );
    if (agentId) {
      await em.query('UPDATE conversation.agents SET last_assigned_at = now() WHERE id = $1', [agentId]);
      await em.query(
        `INSERT INTO conversation.customer_agents (customer_id, agent_id, assigned_at) VALUES ($1, $2, now())
         ON CONFLICT (customer_id) DO UPDATE SET agent_id = EXCLUDED.agent_id, assigned_at = EXCLUDED.assigned_at`,
        [conversation.customerId, agentId],
      );
    }
    if (previous === agentId) return;
    const data: ConversationAssignedData = {
      conversationId: conversation.id,
      assigneeId: agentId,
      previousAssigneeId: previous,
      assignedBy,
      team: conversation.team,
    };
    events.push(conversationEvent(EventTypes.conversationAssigned, conversation, data, cause));
  }

  /** For a new or reopened conversation. */
  async autoAssign(
    em: EntityManager,
    conversation: Conversation,
    cause: string,
    events: DomainEvent<object>[],
  ): Promise<void> {
    await this.lock(em);
    const agentId = await this.pickAgent(em, conversation.customerId, conversation.team);
    await this.assign(em, conversation, agentId, 'auto', cause, events);
  }

  /** Gives queued conversations to agents with free capacity, highest priority and longest waiting first. */
  async drainQueue(
    em: EntityManager,
    cause: string,
    events: DomainEvent<object>[],
    except?: string,
  ): Promise<void> {
    await this.lock(em);
    if (!(await this.pickAgent(em, null, null))) return;
    const queued: Array<{ id: string }> = await em.query(
      `SELECT c.id FROM conversation.conversations c
        WHERE c.status = 'open' AND c.assignee_id IS NULL AND c.id <> $1
        ORDER BY ${PRIORITY_RANK} DESC, c.queued_at ASC NULLS FIRST, c.id`,
      [except ?? ''],
    );
    for (const { id } of queued) {
      const conversation = await em.findOneByOrFail(Conversation, { id });
      const agentId = await this.pickAgent(em, conversation.customerId, conversation.team);
      if (agentId) await this.assign(em, conversation, agentId, 'auto', cause, events);
      // A team-bound conversation may lack only its team; stop once nobody has capacity at all.
      else if (!(await this.pickAgent(em, null, null))) return;
    }
  }
}
