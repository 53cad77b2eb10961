import type {
  AgentInviteView,
  ChangeLabel,
  ChangeSavedReply,
  ConfigureSite,
  DefineLabel,
  LabelRef,
  SaveReply,
  SavedReplyView,
  ConversationRatedData,
  CustomerAttributes,
  Issuer,
  OpenConversation,
  Presence,
  RegisterAgent,
  RegisterCustomer,
  RegisterSite,
  RotateSiteSecret,
  SetAnonymousVisitors,
  SetRetentionPolicy,
  SiteConfiguredData,
  StartSession,
} from '@parley/contracts';
import { SITE_SETTINGS_DEFAULTS } from '@parley/contracts';
import { LOAD_STATUSES } from '../src/assignment/assignment';
import { Conversation, openedConversation } from '../src/conversations/conversation.entity';
import type { ConversationEntry } from '../src/conversations/conversation-entry.entity';
import type { CommandTransaction } from '../src/events/command-transaction';
import {
  AttachmentReferenceStore,
  ConversationStore,
  ErasureStore,
  LabelStore,
  PeopleStore,
  RetentionStore,
  SavedReplyStore,
  SiteStore,
  UnitOfWork,
} from '../src/events/unit-of-work';

const RANK: Record<string, number> = { urgent: 4, high: 3, normal: 2, low: 1 };

/**
 * The conversation service's tables in memory, for unit tests of its domain: rows are copied in and
 * out as a database would, so a change reaches them only through a store's method. `statements`
 * lists the methods called, in order, as the SQL they stand for would have run.
 */
export class InMemoryTables {
  readonly conversations = new Map<string, Conversation>();
  readonly entries: ConversationEntry[] = [];
  readonly readHorizons = new Map<string, number>();
  readonly agents = new Map<string, InMemoryAgent>();
  /** Invites by the hash of their secret. */
  readonly invites = new Map<string, AgentInviteView>();
  readonly sessions = new Map<string, InMemorySession>();
  readonly customers = new Map<
    string,
    { name: string | null; email: string | null; attributes: CustomerAttributes; timeZone: string | null }
  >();
  /** The agent who last handled each customer. */
  readonly lastAgents = new Map<string, string>();
  readonly sites = new Map<string, { sealedSecret: string; allowAnonymous: boolean }>();
  readonly siteSettings = new Map<string, SiteConfiguredData>();
  /** Ratings by conversation id. */
  readonly ratings = new Map<string, ConversationRatedData>();
  /** The message that first carried each attachment; null for one deleted as an orphan. */
  readonly attachmentReferences = new Map<string, string | null>();
  readonly labels = new Map<string, LabelRef>();
  readonly savedReplies = new Map<string, SavedReplyView>();
  /** Sites' retention policies, and when a run of each was asked for. */
  readonly retentionPolicies = new Map<
    string,
    { resolvedConversationDays: number | null; attachmentDays: number | null; runRequestedAt: string | null }
  >();
  /** Customers erased (their erasure itself runs against PostgreSQL, in the integration spec). */
  readonly erasedCustomers = new Set<string>();
  /** Counts assignments, to order agents by their last one. */
  assignmentsMade = 0;
  readonly statements: string[] = [];

  /** A new unit of work over these tables, as each command transaction gets. */
  unitOfWork(): UnitOfWork {
    return new UnitOfWork(
      new InMemoryConversations(this),
      new InMemoryPeople(this),
      new InMemorySites(this),
      new InMemoryAttachmentReferences(this),
      new InMemoryLabels(this),
      new InMemorySavedReplies(this),
      new InMemoryRetention(this),
      new InMemoryErasures(this),
    );
  }

  conversation(id: string): Conversation {
    const row = this.conversations.get(id);
    if (!row) throw new Error(`no conversation ${id}`);
    return { ...row };
  }

  load(agentId: string): number {
    return [...this.conversations.values()].filter(
      (c) => c.assigneeId === agentId && LOAD_STATUSES.includes(c.status),
    ).length;
  }
}

export interface InMemorySession {
  agentId: string;
  refreshHash: string;
  replacedHashes: string[];
  ended: boolean;
}

export interface InMemoryAgent {
  id: string;
  email: string;
  passwordHash: string | null;
  active: boolean;
  tokenVersion: number;
  teams: string[];
  capacity: number;
  presence: Presence;
  /** Order of the last assignment (higher is later); null if never assigned. */
  lastAssigned: number | null;
}

class InMemoryConversations implements ConversationStore {
  constructor(private readonly tables: InMemoryTables) {}

  async rate(rating: ConversationRatedData): Promise<void> {
    this.tables.ratings.set(rating.conversationId, { ...rating });
  }

  async lock(ids: string[]): Promise<Conversation[]> {
    this.tables.statements.push(`lock ${ids.join(',')}`);
    return [...ids]
      .sort()
      .filter((id) => this.tables.conversations.has(id))
      .map((id) => this.tables.conversation(id));
  }

  async find(id: string): Promise<Conversation | undefined> {
    this.tables.statements.push(`find ${id}`);
    return this.tables.conversations.has(id) ? this.tables.conversation(id) : undefined;
  }

  async insert(conversation: Conversation): Promise<void> {
    this.tables.statements.push(`insert ${conversation.id}`);
    if (this.tables.conversations.has(conversation.id)) throw new Error(`duplicate key ${conversation.id}`);
    this.tables.conversations.set(conversation.id, { ...conversation });
  }

  async update(conversation: Conversation, ...fields: Array<keyof Conversation>): Promise<void> {
    this.tables.statements.push(`update ${conversation.id} ${fields.join(',')}`);
    const row = this.tables.conversations.get(conversation.id);
    if (!row) return;
    for (const field of fields) Object.assign(row, { [field]: conversation[field] });
  }

  async recordedEntries(entryIds: string[]): Promise<string[]> {
    this.tables.statements.push(`recorded ${entryIds.join(',')}`);
    return this.tables.entries.filter((e) => entryIds.includes(e.id)).map((e) => e.id);
  }

  async writeAppended(entries: ConversationEntry[], conversations: Conversation[]): Promise<void> {
    this.tables.statements.push(`write ${entries.map((e) => e.id).join(',')}`);
    for (const entry of entries) {
      if (this.tables.entries.some((e) => e.id === entry.id)) throw new Error(`duplicate key ${entry.id}`);
      this.tables.entries.push({ ...entry });
    }
    for (const c of conversations) {
      const row = this.tables.conversations.get(c.id);
      if (row)
        Object.assign(row, {
          lastSeq: c.lastSeq,
          lastMessageAt: c.lastMessageAt,
          lastMessagePreview: c.lastMessagePreview,
        });
    }
  }

  async advanceReadHorizon(conversationId: string, readerId: string, seq: number): Promise<boolean> {
    const key = `${conversationId}/${readerId}`;
    if ((this.tables.readHorizons.get(key) ?? -1) >= seq) return false;
    this.tables.readHorizons.set(key, seq);
    return true;
  }

  async queuedIds(except: string | undefined): Promise<string[]> {
    return [...this.tables.conversations.values()]
      .filter((c) => c.status === 'open' && c.assigneeId === null && c.id !== except)
      .sort(
        (a, b) =>
          RANK[b.priority] - RANK[a.priority] ||
          (a.queuedAt?.getTime() ?? -Infinity) - (b.queuedAt?.getTime() ?? -Infinity) ||
          a.id.localeCompare(b.id),
      )
      .map((c) => c.id);
  }

  async assignedIds(agentId: string): Promise<string[]> {
    return [...this.tables.conversations.values()]
      .filter((c) => c.assigneeId === agentId && c.status !== 'resolved')
      .map((c) => c.id)
      .sort();
  }
}

class InMemoryPeople implements PeopleStore {
  constructor(private readonly tables: InMemoryTables) {}

  async registerAgent(cmd: RegisterAgent): Promise<boolean> {
    if (this.tables.agents.has(cmd.agentId)) return false;
    this.tables.agents.set(cmd.agentId, {
      id: cmd.agentId,
      email: cmd.email,
      passwordHash: null,
      active: true,
      tokenVersion: 0,
      teams: cmd.teams,
      capacity: cmd.capacity,
      presence: 'offline',
      lastAssigned: null,
    });
    this.tables.invites.set(cmd.inviteHash, {
      agentId: cmd.agentId,
      expiresAt: cmd.inviteExpiresAt,
      used: false,
    });
    return true;
  }

  async lockInvite(inviteHash: string): Promise<AgentInviteView | undefined> {
    this.tables.statements.push(`lock invite ${inviteHash}`);
    const invite = this.tables.invites.get(inviteHash);
    return invite && { ...invite };
  }

  async emailTakenFrom(agentId: string): Promise<boolean> {
    const email = this.tables.agents.get(agentId)?.email.toLowerCase();
    return [...this.tables.agents.values()].some(
      (a) => a.id !== agentId && a.passwordHash !== null && a.email.toLowerCase() === email,
    );
  }

  async deactivate(agentId: string): Promise<number | undefined> {
    const agent = this.tables.agents.get(agentId);
    if (!agent?.active) return undefined;
    Object.assign(agent, { active: false, presence: 'offline', tokenVersion: agent.tokenVersion + 1 });
    return agent.tokenVersion;
  }

  async revokeTokens(agentId: string): Promise<number> {
    const agent = this.tables.agents.get(agentId);
    if (!agent) throw new Error(`no agent ${agentId}`);
    return ++agent.tokenVersion;
  }

  async resetPassword(agentId: string, inviteHash: string, inviteExpiresAt: string): Promise<void> {
    const agent = this.tables.agents.get(agentId);
    if (!agent) throw new Error(`no agent ${agentId}`);
    agent.passwordHash = null;
    this.tables.invites.set(inviteHash, { agentId, expiresAt: inviteExpiresAt, used: false });
  }

  async startSession(cmd: StartSession): Promise<void> {
    if (this.tables.sessions.has(cmd.sessionId)) return;
    this.tables.sessions.set(cmd.sessionId, {
      agentId: cmd.agentId,
      refreshHash: cmd.refreshHash,
      replacedHashes: [],
      ended: false,
    });
  }

  async lockSession(sessionId: string): Promise<InMemorySession | undefined> {
    const session = this.tables.sessions.get(sessionId);
    return session && { ...session, replacedHashes: [...session.replacedHashes] };
  }

  async rotateSession(sessionId: string, presentedHash: string, refreshHash: string): Promise<void> {
    const session = this.tables.sessions.get(sessionId);
    if (!session) throw new Error(`no session ${sessionId}`);
    session.replacedHashes.push(presentedHash);
    session.refreshHash = refreshHash;
  }

  async endSessions(agentId: string, sessionId: string | undefined): Promise<void> {
    for (const [id, session] of this.tables.sessions)
      if (session.agentId === agentId && (sessionId === undefined || id === sessionId)) session.ended = true;
  }

  async setPassword(agentId: string, inviteHash: string, passwordHash: string): Promise<void> {
    const agent = this.tables.agents.get(agentId);
    const invite = this.tables.invites.get(inviteHash);
    if (!agent || !invite) throw new Error(`no agent ${agentId} or invite ${inviteHash}`);
    agent.passwordHash = passwordHash;
    invite.used = true;
  }

  async registerCustomer(cmd: RegisterCustomer): Promise<boolean> {
    const known = this.tables.customers.get(cmd.customerId);
    const now = {
      name: cmd.name ?? known?.name ?? null,
      email: cmd.email ?? known?.email ?? null,
      attributes: known?.attributes ?? {},
      timeZone: cmd.timeZone ?? known?.timeZone ?? null,
    };
    this.tables.customers.set(cmd.customerId, now);
    return !known || known.name !== now.name || known.email !== now.email || known.timeZone !== now.timeZone;
  }

  async lockCustomerCard(
    customerId: string,
  ): Promise<{ attributes: CustomerAttributes; timeZone: string | null } | undefined> {
    const known = this.tables.customers.get(customerId);
    return known && { attributes: { ...known.attributes }, timeZone: known.timeZone };
  }

  async setCustomerCard(
    customerId: string,
    attributes: CustomerAttributes,
    timeZone: string | null,
  ): Promise<void> {
    const known = this.tables.customers.get(customerId);
    if (!known) throw new Error(`no customer ${customerId}`);
    this.tables.customers.set(customerId, { ...known, attributes: { ...attributes }, timeZone });
  }

  async agentExists(agentId: string): Promise<boolean> {
    return this.tables.agents.has(agentId);
  }

  async lockPresence(agentId: string): Promise<Presence | undefined> {
    return this.tables.agents.get(agentId)?.presence;
  }

  async setPresence(agentId: string, presence: Presence): Promise<void> {
    const agent = this.tables.agents.get(agentId);
    if (agent) agent.presence = presence;
  }

  async lockAssignment(): Promise<void> {
    this.tables.statements.push('lock assignment');
  }

  async pickAgent(customerId: string | null, team: string | null): Promise<string | null> {
    const last = customerId ? this.tables.lastAgents.get(customerId) : undefined;
    const [picked] = [...this.tables.agents.values()]
      .filter((a) => a.presence === 'online' && a.active && this.tables.load(a.id) < a.capacity)
      .filter((a) => team === null || a.teams.includes(team))
      .sort(
        (a, b) =>
          Number(b.id === last) - Number(a.id === last) ||
          this.tables.load(a.id) - this.tables.load(b.id) ||
          (a.lastAssigned ?? -Infinity) - (b.lastAssigned ?? -Infinity) ||
          a.id.localeCompare(b.id),
      );
    return picked?.id ?? null;
  }

  async recordAssignment(agentId: string, customerId: string): Promise<void> {
    const agent = this.tables.agents.get(agentId);
    if (agent) agent.lastAssigned = ++this.tables.assignmentsMade;
    this.tables.lastAgents.set(customerId, agentId);
  }
}

class InMemoryAttachmentReferences implements AttachmentReferenceStore {
  constructor(private readonly tables: InMemoryTables) {}

  async reference(_conversationId: string, messageId: string, attachmentIds: string[]): Promise<string[]> {
    this.tables.statements.push('reference attachments');
    const refs = this.tables.attachmentReferences;
    for (const id of attachmentIds) if (!refs.has(id)) refs.set(id, messageId);
    return attachmentIds.filter((id) => refs.get(id) === null);
  }
}

class InMemoryRetention implements RetentionStore {
  constructor(private readonly tables: InMemoryTables) {}

  async setPolicy(cmd: SetRetentionPolicy): Promise<boolean> {
    if (!this.tables.sites.has(cmd.siteId)) return false;
    const { resolvedConversationDays, attachmentDays } = cmd;
    const runRequestedAt = this.tables.retentionPolicies.get(cmd.siteId)?.runRequestedAt ?? null;
    this.tables.retentionPolicies.set(cmd.siteId, {
      resolvedConversationDays,
      attachmentDays,
      runRequestedAt,
    });
    return true;
  }

  async requestRun(siteId: string, at: string): Promise<boolean> {
    if (!this.tables.sites.has(siteId)) return false;
    const policy = this.tables.retentionPolicies.get(siteId);
    this.tables.retentionPolicies.set(siteId, {
      resolvedConversationDays: policy?.resolvedConversationDays ?? null,
      attachmentDays: policy?.attachmentDays ?? null,
      runRequestedAt: at,
    });
    return true;
  }

  /** The in-memory references do not record conversations: these tests attach nothing. */
  async keptAttachments(): Promise<string[]> {
    return [];
  }

  async removeConversation(conversationId: string): Promise<void> {
    this.tables.statements.push('remove conversation');
    this.tables.conversations.delete(conversationId);
    this.tables.ratings.delete(conversationId);
    this.tables.entries.splice(
      0,
      this.tables.entries.length,
      ...this.tables.entries.filter((entry) => entry.conversationId !== conversationId),
    );
  }

  async expireAttachments(): Promise<string[]> {
    return [];
  }
}

class InMemorySites implements SiteStore {
  constructor(private readonly tables: InMemoryTables) {}

  async register(cmd: RegisterSite): Promise<boolean> {
    if (this.tables.sites.has(cmd.siteId)) return false;
    this.tables.sites.set(cmd.siteId, { sealedSecret: cmd.sealedSecret, allowAnonymous: cmd.allowAnonymous });
    this.tables.siteSettings.set(cmd.siteId, {
      siteId: cmd.siteId,
      name: cmd.name,
      ...SITE_SETTINGS_DEFAULTS,
    });
    return true;
  }

  async configure(cmd: ConfigureSite): Promise<boolean> {
    const settings = this.tables.siteSettings.get(cmd.siteId);
    if (!settings) return false;
    const { siteId, timeZone, hours, holidays, expectedReplyMinutes, notifyDelaySeconds } = cmd;
    const { autoReply, conversationUrl } = cmd;
    this.tables.siteSettings.set(siteId, {
      ...settings,
      ...{ timeZone, hours, holidays, expectedReplyMinutes, notifyDelaySeconds, autoReply, conversationUrl },
    });
    return true;
  }

  async settings(siteId: string): Promise<SiteConfiguredData | undefined> {
    const settings = this.tables.siteSettings.get(siteId);
    return settings && structuredClone(settings);
  }

  async rotateSecret(cmd: RotateSiteSecret): Promise<boolean> {
    const site = this.tables.sites.get(cmd.siteId);
    if (site) site.sealedSecret = cmd.sealedSecret;
    return site !== undefined;
  }

  async setAnonymousVisitors(cmd: SetAnonymousVisitors): Promise<boolean> {
    const site = this.tables.sites.get(cmd.siteId);
    if (site) site.allowAnonymous = cmd.allowAnonymous;
    return site !== undefined;
  }
}

class InMemoryLabels implements LabelStore {
  constructor(private readonly tables: InMemoryTables) {}

  private named(name: string, exceptId: string): boolean {
    return [...this.tables.labels.values()].some(
      (l) => l.id !== exceptId && l.name.toLowerCase() === name.toLowerCase(),
    );
  }

  async define(cmd: DefineLabel): Promise<'defined' | 'exists' | 'name-taken'> {
    if (this.tables.labels.has(cmd.labelId)) return 'exists';
    if (this.named(cmd.name, cmd.labelId)) return 'name-taken';
    this.tables.labels.set(cmd.labelId, { id: cmd.labelId, name: cmd.name, colour: cmd.colour });
    return 'defined';
  }

  async nameTaken(name: string, exceptId: string): Promise<boolean> {
    return this.named(name, exceptId);
  }

  async change(cmd: ChangeLabel): Promise<boolean> {
    const label = this.tables.labels.get(cmd.labelId);
    if (label) Object.assign(label, { name: cmd.name ?? label.name, colour: cmd.colour ?? label.colour });
    return label !== undefined;
  }

  async delete(labelId: string): Promise<void> {
    this.tables.labels.delete(labelId);
    for (const c of this.tables.conversations.values()) c.labels = c.labels.filter((id) => id !== labelId);
  }

  async refs(ids: string[]): Promise<LabelRef[]> {
    return ids.flatMap((id) => {
      const label = this.tables.labels.get(id);
      return label ? [{ ...label }] : [];
    });
  }
}

class InMemorySavedReplies implements SavedReplyStore {
  constructor(private readonly tables: InMemoryTables) {}

  async save(cmd: SaveReply, ownerId: string | null): Promise<'saved' | 'exists' | 'shortcut-taken'> {
    if (this.tables.savedReplies.has(cmd.replyId)) return 'exists';
    if (await this.shortcutTaken(cmd.shortcut, ownerId, cmd.replyId)) return 'shortcut-taken';
    const { replyId: id, scope, shortcut, body, acceptedAt } = cmd;
    this.tables.savedReplies.set(id, {
      id,
      scope,
      ownerId,
      shortcut,
      body,
      createdAt: acceptedAt,
      updatedAt: acceptedAt,
    });
    return 'saved';
  }

  async shortcutTaken(shortcut: string, ownerId: string | null, exceptId: string): Promise<boolean> {
    return [...this.tables.savedReplies.values()].some(
      (r) =>
        r.id !== exceptId && r.ownerId === ownerId && r.shortcut.toLowerCase() === shortcut.toLowerCase(),
    );
  }

  async change(cmd: ChangeSavedReply): Promise<void> {
    const reply = this.tables.savedReplies.get(cmd.replyId);
    if (reply)
      Object.assign(reply, {
        shortcut: cmd.shortcut ?? reply.shortcut,
        body: cmd.body ?? reply.body,
        updatedAt: cmd.acceptedAt,
      });
  }

  async delete(id: string): Promise<void> {
    this.tables.savedReplies.delete(id);
  }

  async one(id: string): Promise<SavedReplyView | undefined> {
    const reply = this.tables.savedReplies.get(id);
    return reply && { ...reply };
  }
}

/** Handlers' tests call their `apply` with an in-memory unit of work: the transaction is not used. */
export const appliedDirectly = {} as CommandTransaction;

export const customer = (id = 'cu-1'): Issuer => ({ id, role: 'customer' });
export const agentIssuer = (id = 'ag-1'): Issuer => ({ id, role: 'agent' });

/**
 * Adds a stored conversation: as its customer opened it (open, queued, no messages yet), then
 * changed by `fields`.
 */
export function storedConversation(
  tables: InMemoryTables,
  fields: Partial<Conversation> & { id: string },
): Conversation {
  const open: OpenConversation = {
    conversationId: fields.id,
    messageId: `${fields.id}-first`,
    body: '',
    priority: 'normal',
    issuedBy: customer(fields.customerId ?? 'cu-1'),
    acceptedAt: ACCEPTED_AT,
  };
  const conversation = { ...openedConversation(open, new Date(ACCEPTED_AT)), ...fields };
  tables.conversations.set(conversation.id, { ...conversation });
  return conversation;
}

/** Adds an agent, online with room for two conversations unless `fields` say otherwise. */
export function storedAgent(tables: InMemoryTables, fields: Partial<InMemoryAgent> & { id: string }): void {
  tables.agents.set(fields.id, {
    email: `${fields.id}@example.com`,
    passwordHash: null,
    active: true,
    tokenVersion: 0,
    teams: [],
    capacity: 2,
    presence: 'online',
    lastAssigned: null,
    ...fields,
  });
}

/** What a test reads first of a handler's events: which kinds, in order, and about which conversation. */
export const summaryOf = (events: Array<{ type: string; conversationId?: string }>): string[] =>
  events.map((e) => `${e.type} ${e.conversationId ?? ''}`.trim());

export const ACCEPTED_AT = '2026-01-01T00:00:00.000Z';

/** Whether a customer was erased; erasing itself is tested against PostgreSQL, not here. */
class InMemoryErasures implements ErasureStore {
  constructor(private readonly tables: InMemoryTables) {}

  async customerErased(customerId: string): Promise<boolean> {
    return this.tables.erasedCustomers.has(customerId);
  }

  lockCustomer(): never {
    throw new Error('erasure is not kept in memory');
  }
  erase(): never {
    throw new Error('erasure is not kept in memory');
  }
  record(): never {
    throw new Error('erasure is not kept in memory');
  }
  confirm(): never {
    throw new Error('erasure is not kept in memory');
  }
  request(): never {
    throw new Error('erasure is not kept in memory');
  }
  lockRequest(): never {
    throw new Error('erasure is not kept in memory');
  }
  decline(): never {
    throw new Error('erasure is not kept in memory');
  }
}
