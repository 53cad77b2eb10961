import type {
  AgentCredentialsView,
  AgentInviteView,
  AgentSessionState,
  AgentView,
  CustomerAttributes,
  CustomerCard,
  Presence,
  SessionView,
  StartSession,
  RegisterAgent,
  RegisterCustomer,
} from '@parley/contracts';
import { LOAD_STATUSES } from '../assignment/assignment';
import type { Sql } from '../sql';

/**
 * Agents, customers and which agent last handled each customer, in raw SQL as everywhere in this
 * service. An agent's load (open and pending conversations assigned to them) is counted, not stored.
 */
export class PeopleRepository {
  constructor(private readonly sql: Sql) {}

  /** A new invite for the agent, whose password stops working until they set another through it. */
  async resetPassword(agentId: string, inviteHash: string, inviteExpiresAt: string): Promise<void> {
    await this.sql.query('UPDATE conversation.agents SET password_hash = NULL WHERE id = $1', [agentId]);
    await this.sql.query(
      `INSERT INTO conversation.agent_invites (invite_hash, agent_id, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (invite_hash) DO NOTHING`,
      [inviteHash, agentId, inviteExpiresAt],
    );
  }

  /** Registers the agent with their invite; false when an agent was registered under this id already (a retry). */
  async registerAgent(cmd: RegisterAgent): Promise<boolean> {
    const created: unknown[] = await this.sql.query(
      `INSERT INTO conversation.agents (id, name, email, teams, capacity, role) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [cmd.agentId, cmd.name, cmd.email, cmd.teams, cmd.capacity, cmd.role],
    );
    if (!created.length) return false;
    await this.sql.query(
      'INSERT INTO conversation.agent_invites (invite_hash, agent_id, expires_at) VALUES ($1, $2, $3)',
      [cmd.inviteHash, cmd.agentId, cmd.inviteExpiresAt],
    );
    return true;
  }

  /** The invite, locked for the rest of the transaction. */
  async lockInvite(inviteHash: string): Promise<AgentInviteView | undefined> {
    const [row]: AgentInviteView[] = await this.sql.query(
      `SELECT agent_id AS "agentId", to_json(expires_at)#>>'{}' AS "expiresAt", used_at IS NOT NULL AS used
         FROM conversation.agent_invites WHERE invite_hash = $1 FOR UPDATE`,
      [inviteHash],
    );
    return row;
  }

  /** Another agent who signs in with this agent's email, if any. */
  async emailTakenFrom(agentId: string): Promise<boolean> {
    const rows: unknown[] = await this.sql.query(
      `SELECT 1 FROM conversation.agents o, conversation.agents a
        WHERE a.id = $1 AND o.id <> a.id AND o.password_hash IS NOT NULL AND lower(o.email) = lower(a.email)`,
      [agentId],
    );
    return rows.length > 0;
  }

  /** Sets the password and uses the invite up. */
  async setPassword(agentId: string, inviteHash: string, passwordHash: string): Promise<void> {
    await this.sql.query('UPDATE conversation.agents SET password_hash = $2 WHERE id = $1', [
      agentId,
      passwordHash,
    ]);
    await this.sql.query('UPDATE conversation.agent_invites SET used_at = now() WHERE invite_hash = $1', [
      inviteHash,
    ]);
  }

  async invite(inviteHash: string): Promise<AgentInviteView | undefined> {
    const [row]: AgentInviteView[] = await this.sql.query(
      `SELECT agent_id AS "agentId", to_json(expires_at)#>>'{}' AS "expiresAt", used_at IS NOT NULL AS used
         FROM conversation.agent_invites WHERE invite_hash = $1`,
      [inviteHash],
    );
    return row;
  }

  async credentials(email: string): Promise<AgentCredentialsView | undefined> {
    const [row]: AgentCredentialsView[] = await this.sql.query(
      `SELECT id AS "agentId", role, active, password_hash AS "passwordHash", token_version AS "tokenVersion"
         FROM conversation.agents WHERE lower(email) = lower($1) AND password_hash IS NOT NULL`,
      [email],
    );
    return row;
  }

  /**
   * Registers the customer, or updates the name and email given; false when that changed nothing.
   * The unique index on external_id keeps the mapping to the gateway's derived id 1:1. An erased
   * customer stays a tombstone: registering their externalId again changes nothing.
   */
  async registerCustomer(cmd: RegisterCustomer): Promise<boolean> {
    const changed: unknown[] = await this.sql.query(
      `INSERT INTO conversation.customers AS c (id, external_id, name, email, time_zone) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET name = COALESCE(EXCLUDED.name, c.name),
                                      email = COALESCE(EXCLUDED.email, c.email),
                                      time_zone = COALESCE(EXCLUDED.time_zone, c.time_zone)
        WHERE c.erased_at IS NULL AND (COALESCE(EXCLUDED.name, c.name), COALESCE(EXCLUDED.email, c.email),
               COALESCE(EXCLUDED.time_zone, c.time_zone))
              IS DISTINCT FROM (c.name, c.email, c.time_zone)
       RETURNING id`,
      [cmd.customerId, cmd.externalId, cmd.name ?? null, cmd.email ?? null, cmd.timeZone ?? null],
    );
    return changed.length > 0;
  }

  /** The customer's attributes and time zone, locked for the rest of the transaction; undefined: no such customer. */
  async lockCustomerCard(
    customerId: string,
  ): Promise<{ attributes: CustomerAttributes; timeZone: string | null } | undefined> {
    const [row]: Array<{ attributes: CustomerAttributes; timeZone: string | null }> = await this.sql.query(
      'SELECT attributes, time_zone AS "timeZone" FROM conversation.customers WHERE id = $1 FOR UPDATE',
      [customerId],
    );
    return row;
  }

  async setCustomerCard(
    customerId: string,
    attributes: CustomerAttributes,
    timeZone: string | null,
  ): Promise<void> {
    await this.sql.query('UPDATE conversation.customers SET attributes = $2, time_zone = $3 WHERE id = $1', [
      customerId,
      JSON.stringify(attributes),
      timeZone,
    ]);
  }

  /** Who the customer is, what the business knows about them, and their latest conversations. */
  async customerCard(customerId: string, conversations: number): Promise<CustomerCard | undefined> {
    const [row]: CustomerCard[] = await this.sql.query(
      `SELECT c.id, c.external_id AS "externalId", c.name, c.email, c.attributes, c.time_zone AS "timeZone",
              to_json(c.created_at)#>>'{}' AS "createdAt", to_json(c.erased_at)#>>'{}' AS "erasedAt",
              COALESCE((SELECT json_agg(json_build_object(
                         'id', v.id, 'subject', v.subject, 'status', v.status,
                         'lastMessageAt', to_json(v.last_message_at)#>>'{}',
                         'createdAt', to_json(v.created_at)#>>'{}') ORDER BY v.created_at DESC, v.id DESC)
                          FROM (SELECT * FROM conversation.conversations
                                 WHERE customer_id = c.id ORDER BY created_at DESC, id DESC LIMIT $2) v),
                       '[]'::json) AS conversations
         FROM conversation.customers c WHERE c.id = $1`,
      [customerId, conversations],
    );
    return row;
  }

  /** Whether some active agent is online: the widget tells the visitor the team is there. */
  async agentsOnline(): Promise<boolean> {
    const rows: unknown[] = await this.sql.query(
      "SELECT 1 FROM conversation.agents WHERE presence = 'online' AND active LIMIT 1",
    );
    return rows.length > 0;
  }

  async agentExists(agentId: string): Promise<boolean> {
    const rows: unknown[] = await this.sql.query('SELECT 1 FROM conversation.agents WHERE id = $1', [
      agentId,
    ]);
    return rows.length > 0;
  }

  /** The agent's presence, with the agent locked for the rest of the transaction; undefined: no such agent. */
  async lockPresence(agentId: string): Promise<Presence | undefined> {
    const [row]: Array<{ presence: Presence }> = await this.sql.query(
      'SELECT presence FROM conversation.agents WHERE id = $1 FOR UPDATE',
      [agentId],
    );
    return row?.presence;
  }

  /**
   * Deactivates the agent, takes them offline and moves their token version on; the new version,
   * or undefined when they were inactive already.
   */
  async deactivate(agentId: string): Promise<number | undefined> {
    const [row]: Array<{ tokenVersion: number }> = await this.sql.query(
      // In a CTE: TypeORM answers a bare UPDATE with [rows, count] rather than the rows.
      `WITH changed AS (
         UPDATE conversation.agents SET active = false, presence = 'offline', token_version = token_version + 1
          WHERE id = $1 AND active RETURNING token_version)
       SELECT token_version AS "tokenVersion" FROM changed`,
      [agentId],
    );
    return row?.tokenVersion;
  }

  /** Moves the agent's token version on: every token issued before answers 401. The new version. */
  async revokeTokens(agentId: string): Promise<number> {
    const [row]: Array<{ tokenVersion: number }> = await this.sql.query(
      `WITH changed AS (
         UPDATE conversation.agents SET token_version = token_version + 1 WHERE id = $1 RETURNING token_version)
       SELECT token_version AS "tokenVersion" FROM changed`,
      [agentId],
    );
    return row.tokenVersion;
  }

  async startSession(cmd: StartSession): Promise<void> {
    await this.sql.query(
      `INSERT INTO conversation.agent_sessions (id, agent_id, refresh_hash, device, created_at, last_used_at)
       VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (id) DO NOTHING`,
      [cmd.sessionId, cmd.agentId, cmd.refreshHash, cmd.device, cmd.acceptedAt],
    );
  }

  /** The session, locked for the rest of the transaction. */
  async lockSession(
    sessionId: string,
  ): Promise<{ agentId: string; refreshHash: string; replacedHashes: string[]; ended: boolean } | undefined> {
    const [row]: Array<{ agentId: string; refreshHash: string; replacedHashes: string[]; ended: boolean }> =
      await this.sql.query(
        `SELECT agent_id AS "agentId", refresh_hash AS "refreshHash", replaced_hashes AS "replacedHashes",
                ended_at IS NOT NULL AS ended
           FROM conversation.agent_sessions WHERE id = $1 FOR UPDATE`,
        [sessionId],
      );
    return row;
  }

  async rotateSession(
    sessionId: string,
    presentedHash: string,
    refreshHash: string,
    at: string,
  ): Promise<void> {
    await this.sql.query(
      `UPDATE conversation.agent_sessions
          SET refresh_hash = $3, replaced_hashes = array_append(replaced_hashes, $2), last_used_at = $4
        WHERE id = $1`,
      [sessionId, presentedHash, refreshHash, at],
    );
  }

  /** Ends one session of the agent, or every one when `sessionId` is undefined. */
  async endSessions(agentId: string, sessionId: string | undefined, at: string): Promise<void> {
    await this.sql.query(
      `UPDATE conversation.agent_sessions SET ended_at = $3
        WHERE agent_id = $1 AND ($2::text IS NULL OR id = $2) AND ended_at IS NULL`,
      [agentId, sessionId ?? null, at],
    );
  }

  async session(sessionId: string): Promise<AgentSessionState | undefined> {
    const [row]: AgentSessionState[] = await this.sql.query(
      `SELECT s.agent_id AS "agentId", a.role, a.token_version AS "tokenVersion", s.refresh_hash AS "refreshHash",
              s.ended_at IS NULL AND a.active AS live
         FROM conversation.agent_sessions s JOIN conversation.agents a ON a.id = s.agent_id WHERE s.id = $1`,
      [sessionId],
    );
    return row;
  }

  sessions(agentId: string): Promise<SessionView[]> {
    return this.sql.query(
      `SELECT id, device, to_json(created_at)#>>'{}' AS "createdAt", to_json(last_used_at)#>>'{}' AS "lastUsedAt"
         FROM conversation.agent_sessions WHERE agent_id = $1 AND ended_at IS NULL ORDER BY created_at DESC, id`,
      [agentId],
    );
  }

  async setPresence(agentId: string, presence: Presence): Promise<void> {
    await this.sql.query('UPDATE conversation.agents SET presence = $2 WHERE id = $1', [agentId, presence]);
  }

  /** Serializes assignment decisions across replicas, until commit, so no agent gets more than their capacity. */
  async lockAssignment(): Promise<void> {
    await this.sql.query("SELECT pg_advisory_xact_lock(hashtext('parley:assignment'))");
  }

  /**
   * An online agent with free capacity (of the team, when one is given): the customer's last agent
   * if they qualify, else the least loaded, then the longest since their last assignment.
   */
  async pickAgent(customerId: string | null, team: string | null): Promise<string | null> {
    const rows: Array<{ id: string }> = await this.sql.query(
      `SELECT a.id
         FROM conversation.agents a
         LEFT JOIN conversation.customer_agents ca ON ca.customer_id = $1
         CROSS JOIN LATERAL (
           SELECT count(*)::int AS load FROM conversation.conversations c
            WHERE c.assignee_id = a.id AND c.status = ANY($3::text[]) AND c.erased_at IS NULL
         ) l
        WHERE a.presence = 'online' AND a.active AND l.load < a.capacity AND ($2::text IS NULL OR $2 = ANY(a.teams))
        ORDER BY (a.id = ca.agent_id) DESC NULLS LAST, l.load ASC, a.last_assigned_at ASC NULLS FIRST, a.id
        LIMIT 1`,
      [customerId, team, LOAD_STATUSES],
    );
    return rows[0]?.id ?? null;
  }

  /** The agent was just given one of the customer's conversations. */
  async recordAssignment(agentId: string, customerId: string): Promise<void> {
    await this.sql.query('UPDATE conversation.agents SET last_assigned_at = now() WHERE id = $1', [agentId]);
    await this.sql.query(
      `INSERT INTO conversation.customer_agents (customer_id, agent_id, assigned_at) VALUES ($1, $2, now())
       ON CONFLICT (customer_id) DO UPDATE SET agent_id = EXCLUDED.agent_id, assigned_at = EXCLUDED.assigned_at`,
      [customerId, agentId],
    );
  }

  /** Agents by id after `after`, with their load. */
  agents(after: string, limit: number): Promise<AgentView[]> {
    return this.sql.query(
      `SELECT a.id, a.name, a.email, a.teams, a.capacity, a.presence, a.role,
              a.password_hash IS NOT NULL AS "signedUp", a.active,
              (SELECT count(*)::int FROM conversation.conversations c
                WHERE c.assignee_id = a.id AND c.status = ANY($3::text[]) AND c.erased_at IS NULL) AS load
         FROM conversation.agents a WHERE a.id > $1 ORDER BY a.id LIMIT $2`,
      [after, limit, LOAD_STATUSES],
    );
  }
}
