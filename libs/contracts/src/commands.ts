import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
  Max,
  Min,
  ValidateBy,
  ValidateIf,
  ValidateNested,
  ValidationOptions,
} from 'class-validator';
import { createHash } from 'node:crypto';
import { ATTACHMENTS_PER_MESSAGE_CEILING } from './attachments';
import { Content, receivedMailConversation, unrepliedMailSender } from './content';
import { RATING_CHANNELS, RatingChannel } from './events';
import { ROLES, Role } from './principal';
import { CommandSubjects, WEBHOOK_DELIVERY_SUBJECT } from './subjects';

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const MESSAGE_BODY_MAX = 10_000;

/** Ids are opaque, but never longer than 64 characters of [A-Za-z0-9_-]. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** The largest seq: a PostgreSQL integer. */
export const SEQ_MAX = 2_147_483_647;

/**
 * What a command's caller gives, without what every command carries: the body the gateway builds
 * from a request, the issuer and acceptance time being added when it is sent.
 */
export type CommandBody<C extends Command> = Omit<C, keyof Command>;

/** Who issued a command, as authenticated by the gateway. */
export class Issuer {
  @IsString() @Length(1, 64) id: string;
  @IsIn(ROLES) role: Role;
}

/**
 * What every command carries. `issuedBy` is a command's only nested class: the transport builds
 * commands by a shallow copy plus that one instance (libs/jetstream/src/payload.ts), so a new nested
 * class here must be added there too.
 */
export abstract class Command {
  @ValidateNested() @Type(() => Issuer) issuedBy: Issuer;
  /** When the gateway accepted the command (RFC 3339). */
  @IsISO8601() acceptedAt: string;
}

/** What an agent may do in the console: `admin` runs the installation, `supervisor` oversees agents. */
export const AGENT_ROLES = ['admin', 'supervisor', 'agent'] as const;
export type AgentRole = (typeof AGENT_ROLES)[number];

/** A SHA-256 in hex: how a single-use secret (an invite) is stored and sent, never the secret itself. */
const SECRET_HASH = /^[0-9a-f]{64}$/;

/** Registers an agent and the invite through which they set their password. */
export class RegisterAgent extends Command {
  static readonly subject = CommandSubjects.registerAgent;
  @IsString() @Length(1, 64) agentId: string;
  @IsString() @Length(1, 200) name: string;
  @IsEmail() email: string;
  @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) @Length(1, 100, { each: true }) teams: string[];
  @IsInt() @Min(0) @Max(1000) capacity: number;
  @IsIn(AGENT_ROLES) role: AgentRole;
  @Matches(SECRET_HASH) inviteHash: string;
  /** When the invite stops working (RFC 3339). */
  @IsISO8601() inviteExpiresAt: string;
}

/**
 * Deactivates an agent: they can no longer sign in, every token of theirs stops working, and their
 * conversations go back to the queue.
 */
export class DeactivateAgent extends Command {
  static readonly subject = CommandSubjects.deactivateAgent;
  @Matches(ID_PATTERN) agentId: string;
}

/**
 * Resets an agent's password: the old one stops working, every session ends, every token is
 * revoked, and the agent sets a new password through the new invite.
 */
export class ResetAgentPassword extends Command {
  static readonly subject = CommandSubjects.resetAgentPassword;
  @Matches(ID_PATTERN) agentId: string;
  @Matches(SECRET_HASH) inviteHash: string;
  @IsISO8601() inviteExpiresAt: string;
}

/** An agent signed in on a device: the session holds the hash of its first refresh token. */
export class StartSession extends Command {
  static readonly subject = CommandSubjects.startSession;
  @Matches(ID_PATTERN) agentId: string;
  @Matches(ID_PATTERN) sessionId: string;
  @Matches(SECRET_HASH) refreshHash: string;
  /** What the agent recognises the device by (its User-Agent). */
  @IsString() @Length(0, 300) device: string;
}

/**
 * Replaces the session's refresh token. Presenting one it already replaced is a replay: every
 * session of the agent ends and their tokens are revoked.
 */
export class RotateSession extends Command {
  static readonly subject = CommandSubjects.rotateSession;
  @Matches(ID_PATTERN) agentId: string;
  @Matches(ID_PATTERN) sessionId: string;
  @Matches(SECRET_HASH) presentedHash: string;
  @Matches(SECRET_HASH) refreshHash: string;
}

/** Signs a device out: its refresh token is useless from then on. */
export class EndSession extends Command {
  static readonly subject = CommandSubjects.endSession;
  @Matches(ID_PATTERN) agentId: string;
  @Matches(ID_PATTERN) sessionId: string;
}

/** Sets an agent's password through their invite, which it uses up. */
export class SetAgentPassword extends Command {
  static readonly subject = CommandSubjects.setAgentPassword;
  @IsString() @Length(1, 64) agentId: string;
  @Matches(SECRET_HASH) inviteHash: string;
  /** The argon2id hash (PHC string) the gateway made of the password; the password never travels. */
  @IsString() @Matches(/^\$argon2id\$/) @Length(1, 500) passwordHash: string;
}

export class RegisterCustomer extends Command {
  static readonly subject = CommandSubjects.registerCustomer;
  @IsString() @Length(1, 64) customerId: string;
  @Content('customer') @IsString() @Length(1, 200) externalId: string;
  @Content('customer') @IsOptional() @IsString() @Length(1, 200) name?: string;
  @Content('customer') @IsOptional() @IsEmail() email?: string;
  /** The customer's IANA time zone, when their site's identity token says (`tz`); absent keeps it. */
  @Content('customer') @IsOptional() @IsTimeZone() timeZone?: string;
}

export class OpenConversation extends Command {
  static readonly subject = CommandSubjects.openConversation;
  @IsString() @Length(1, 64) conversationId: string;
  @IsString() @Length(1, 64) messageId: string;
  @Content('conversation') @IsOptional() @IsString() @Length(0, 300) subject?: string;
  @Content('conversation') @IsString() @Length(1, MESSAGE_BODY_MAX) body: string;
  @IsIn(PRIORITIES) priority: Priority;
  /** The site whose widget the customer signed in through (their token's); absent for API customers. */
  @IsOptional() @Matches(ID_PATTERN) siteId?: string;
}

export class PostMessage extends Command {
  static readonly subject = CommandSubjects.postMessage;
  @IsString() @Length(1, 64) conversationId: string;
  @IsString() @Length(1, 64) messageId: string;
  @Content('conversation') @IsString() @Length(1, MESSAGE_BODY_MAX) body: string;
  /**
   * `email`: the customer's reply to a notification, posted by the mail service. The public API
   * never sets it (the gateway's request leaves it out), so a message claims no channel it did not use.
   */
  @IsOptional() @IsIn(['email']) via?: 'email';
  /** Ids of attachments uploaded into this conversation (`POST /v1/conversations/{id}/attachments`). */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(ATTACHMENTS_PER_MESSAGE_CEILING)
  @Matches(ID_PATTERN, { each: true })
  attachments?: string[];
}

export const PRESENCES = ['online', 'away', 'offline'] as const;
export type Presence = (typeof PRESENCES)[number];

export const STATUSES = ['open', 'pending', 'snoozed', 'resolved'] as const;
export type ConversationStatus = (typeof STATUSES)[number];

export class AddNote extends Command {
  static readonly subject = CommandSubjects.addNote;
  @IsString() @Length(1, 64) conversationId: string;
  @IsString() @Length(1, 64) noteId: string;
  @Content('conversation') @IsString() @Length(1, MESSAGE_BODY_MAX) body: string;
}

export class SetPresence extends Command {
  static readonly subject = CommandSubjects.setPresence;
  @IsString() @Length(1, 64) agentId: string;
  @IsIn(PRESENCES) status: Presence;
}

export class AssignConversation extends Command {
  static readonly subject = CommandSubjects.assignConversation;
  @IsString() @Length(1, 64) conversationId: string;
  /** null unassigns: the conversation goes back to the queue. */
  @ValidateIf((o: AssignConversation) => o.agentId !== null)
  @IsString()
  @Matches(ID_PATTERN)
  agentId: string | null;
}

export class TransferConversation extends Command {
  static readonly subject = CommandSubjects.transferConversation;
  @IsString() @Length(1, 64) conversationId: string;
  /** Id of the private history entry that records the transfer. */
  @IsString() @Length(1, 64) transferId: string;
  @IsOptional() @IsString() @Matches(ID_PATTERN) agentId?: string;
  @IsOptional() @IsString() @Length(1, 100) team?: string;
  @Content('conversation') @IsOptional() @IsString() @Length(1, 1000) reason?: string;
  @Content('conversation') @IsOptional() @IsString() @Length(1, MESSAGE_BODY_MAX) note?: string;
}

export class ChangeStatus extends Command {
  static readonly subject = CommandSubjects.changeStatus;
  @IsString() @Length(1, 64) conversationId: string;
  @IsIn(STATUSES) status: ConversationStatus;
  @IsOptional() @IsISO8601({ strict: true }) snoozeUntil?: string;
}

export class ChangePriority extends Command {
  static readonly subject = CommandSubjects.changePriority;
  @IsString() @Length(1, 64) conversationId: string;
  @IsIn(PRIORITIES) priority: Priority;
}

export class MarkRead extends Command {
  static readonly subject = CommandSubjects.markRead;
  @IsString() @Length(1, 64) conversationId: string;
  @IsInt() @Min(1) @Max(SEQ_MAX) seq: number;
}

/** Issued by the conversation service's own snooze alarm when a snooze has run out. */
export class WakeConversation extends Command {
  static readonly subject = CommandSubjects.wakeConversation;
  @IsString() @Length(1, 64) conversationId: string;
  @IsISO8601() snoozeUntil: string;
}

export class AckInbox extends Command {
  static readonly subject = CommandSubjects.ackInbox;
  @IsString() @Length(1, 64) principalId: string;
  /** Inbox position (decoded from the opaque cursor) up to which everything counts as delivered. */
  @IsString() @Length(1, 20) position: string;
}

export class RegisterWebhook extends Command {
  static readonly subject = CommandSubjects.registerWebhook;
  @IsString() @Length(1, 64) webhookId: string;
  @IsString() @Length(1, 2000) url: string;
  @IsArray() @IsString({ each: true }) events: string[];
  /**
   * The Standard Webhooks signing secret (`whsec_` + base64), sealed by the gateway under
   * `PARLEY_SECRET_KEY` (libs/secrets): the command stays in JetStream, and may be dead-lettered, for
   * days, so it never carries the secret in clear.
   */
  @Matches(/^sealed\.v1\.[A-Za-z0-9_-]{1,32}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, {
    message: 'sealedSecret must be a sealed secret (sealed.v1.…), never a secret in clear',
  })
  @Length(10, 400)
  sealedSecret: string;
}

export class DeleteWebhook extends Command {
  static readonly subject = CommandSubjects.deleteWebhook;
  @IsString() @Length(1, 64) webhookId: string;
}

export class RetryWebhookDelivery extends Command {
  static readonly subject = CommandSubjects.retryWebhookDelivery;
  @IsString() @Length(1, 64) webhookId: string;
  @IsString() @Length(1, 300) deliveryId: string;
}

/**
 * A secret as commands carry it: sealed by the gateway under `PARLEY_SECRET_KEY` (libs/secrets), so
 * that neither the command stream nor a dead letter ever holds it in clear.
 */
export const SEALED_SECRET_PATTERN =
  /^sealed\.v1\.[A-Za-z0-9_-]{1,32}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** A site where the widget is embedded, with the identity-verification secret its backend signs with. */
export class RegisterSite extends Command {
  static readonly subject = CommandSubjects.registerSite;
  @IsString() @Matches(ID_PATTERN) siteId: string;
  @IsString() @Length(1, 200) name: string;
  /** Whether a visitor the business did not sign in gets a customer token of their own. */
  @IsBoolean() allowAnonymous: boolean;
  @IsString() @Length(1, 500) @Matches(SEALED_SECRET_PATTERN) sealedSecret: string;
}

/** Whether a site's visitors the business did not sign in get customers of their own from now on. */
export class SetAnonymousVisitors extends Command {
  static readonly subject = CommandSubjects.setAnonymousVisitors;
  @IsString() @Matches(ID_PATTERN) siteId: string;
  @IsBoolean() allowAnonymous: boolean;
}

/** A new identity-verification secret for a site; the one before it stops verifying. */
export class RotateSiteSecret extends Command {
  static readonly subject = CommandSubjects.rotateSiteSecret;
  @IsString() @Matches(ID_PATTERN) siteId: string;
  @IsString() @Length(1, 500) @Matches(SEALED_SECRET_PATTERN) sealedSecret: string;
}

/** A webhook delivery to attempt (the work item of the webhook stream). */
export class SendWebhook {
  static readonly subject = WEBHOOK_DELIVERY_SUBJECT;
  @IsString() @Length(1, 300) deliveryId: string;
}

/** At most this many opening spans per weekday (a lunch break makes two). */
export const OPENING_SPANS_PER_DAY_MAX = 4;
export const HOLIDAYS_MAX = 100;
export const AUTO_REPLY_MAX = 2000;
export const RATING_COMMENT_MAX = 1000;
/** A week: a promise further out than that is no promise. */
export const EXPECTED_REPLY_MINUTES_MAX = 10_080;
export const NOTIFY_DELAY_SECONDS_MAX = 86_400;

const CLOCK_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const CALENDAR_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** Why a site's weekly hours are not usable, or undefined: the one place their rules are written. */
export function openingHoursProblem(value: unknown): string | undefined {
  if (!Array.isArray(value)) return 'hours must be an array';
  const perDay = new Map<number, number>();
  for (const [i, span] of value.entries()) {
    if (typeof span !== 'object' || span === null) return `hours[${i}] must be an object`;
    const { day, opens, closes, ...rest } = span as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length) return `hours[${i}] has unknown fields: ${unknown.join(', ')}`;
    if (typeof day !== 'number' || !Number.isInteger(day) || day < 1 || day > 7)
      return `hours[${i}].day must be an ISO weekday, 1 (Monday) to 7 (Sunday)`;
    if (typeof opens !== 'string' || !CLOCK_TIME.test(opens)) return `hours[${i}].opens must be HH:MM`;
    if (typeof closes !== 'string' || !CLOCK_TIME.test(closes)) return `hours[${i}].closes must be HH:MM`;
    if (opens >= closes) return `hours[${i}] opens at ${opens}, which is not before it closes (${closes})`;
    perDay.set(day, (perDay.get(day) ?? 0) + 1);
    if ((perDay.get(day) ?? 0) > OPENING_SPANS_PER_DAY_MAX)
      return `hours has more than ${OPENING_SPANS_PER_DAY_MAX} spans on day ${day}`;
  }
  return undefined;
}

/** Weekly opening spans; checked by a function, as commands carry no nested classes but `issuedBy`. */
function IsOpeningHours(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isOpeningHours',
      validator: {
        validate: (value) => openingHoursProblem(value) === undefined,
        defaultMessage: (args) => openingHoursProblem(args?.value) ?? 'hours are invalid',
      },
    },
    options,
  );
}

/** Whether the runtime knows `zone` as an IANA time zone. */
export function isTimeZone(zone: unknown): boolean {
  if (typeof zone !== 'string' || !zone) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function IsTimeZone(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isTimeZone',
      validator: {
        validate: isTimeZone,
        defaultMessage: () => 'timeZone must be an IANA time zone, such as Europe/Berlin',
      },
    },
    options,
  );
}

/** A site's business hours and what it promises and sends: replaces everything configured before. */
export class ConfigureSite extends Command {
  static readonly subject = CommandSubjects.configureSite;
  @IsString() @Matches(ID_PATTERN) siteId: string;
  @IsTimeZone() timeZone: string;
  /** In the site's time zone; empty: open around the clock. */
  @IsOpeningHours() hours: Array<{ day: number; opens: string; closes: string }>;
  @IsArray()
  @ArrayMaxSize(HOLIDAYS_MAX)
  @Matches(CALENDAR_DATE, { each: true, message: 'holidays must be dates as YYYY-MM-DD' })
  holidays: string[];
  @ValidateIf((o: ConfigureSite) => o.expectedReplyMinutes !== null)
  @IsInt()
  @Min(1)
  @Max(EXPECTED_REPLY_MINUTES_MAX)
  expectedReplyMinutes: number | null;
  @IsInt() @Min(0) @Max(NOTIFY_DELAY_SECONDS_MAX) notifyDelaySeconds: number;
  @ValidateIf((o: ConfigureSite) => o.autoReply !== null)
  @IsString()
  @Length(1, AUTO_REPLY_MAX)
  autoReply: string | null;
  @ValidateIf((o: ConfigureSite) => o.conversationUrl !== null)
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
    { message: 'conversationUrl must be an http(s) URL' },
  )
  @Matches(/\{conversationId\}/, { message: 'conversationUrl must contain {conversationId}' })
  @Length(1, 2000)
  conversationUrl: string | null;
}

/** A customer's rating of a resolved conversation; a later one replaces it. */
export class RateConversation extends Command {
  static readonly subject = CommandSubjects.rateConversation;
  @IsString() @Matches(ID_PATTERN) conversationId: string;
  @IsInt() @Min(1) @Max(5) score: number;
  @Content('conversation') @IsOptional() @IsString() @Length(1, RATING_COMMENT_MAX) comment?: string;
  @IsIn(RATING_CHANNELS) via: RatingChannel;
}

/** Where an email to a reply address came in: the mail process's SMTP listener, or a provider's webhook. */
export const MAIL_SOURCES = ['smtp', 'postmark'] as const;
export type MailSource = (typeof MAIL_SOURCES)[number];

/** A `Message-ID` header's value without its angle brackets and surrounding spaces. */
export function bareMessageId(header: string): string {
  return header.trim().replace(/^<([^>]*)>$/, '$1');
}

/**
 * The id of an email, from its `Message-ID`: the same for every delivery of it, through either
 * receiver, so the message it becomes is created once. A hash (128 bits, hex) rather than a UUID v5:
 * contracts depend on nothing but Node and the validation library.
 */
export function receivedMailId(messageId: string): string {
  return `mail-${createHash('sha256').update(bareMessageId(messageId)).digest('hex').slice(0, 32)}`;
}

/**
 * An email is sealed under the key of the conversation its reply address names, or, naming none,
 * under its sender's address's (`mailSenderScopeId`): either is destroyed with its customer.
 */
function MailContent(): PropertyDecorator {
  const conversation = Content('conversation', receivedMailConversation);
  const sender = Content('customer', unrepliedMailSender);
  return (target, property) => {
    conversation(target, property);
    sender(target, property);
  };
}

/** The longest text of an email a ReceiveMail carries: the reply and some of the history it quotes. */
export const RECEIVED_MAIL_TEXT_MAX = 100_000;

/**
 * An email that arrived for a reply address, as its receiver (the SMTP listener or the provider
 * webhook) read it, durably stored before the sender was told it was taken. The mail service turns
 * it into the customer's message, or keeps it as unmatched; it quotes and strips nothing before.
 */
export class ReceiveMail extends Command {
  static readonly subject = CommandSubjects.receiveMail;
  /**
   * Derived from the `Message-ID` (`receivedMailId`): the id of the message it becomes, and its partition,
   * so every delivery of the same email is handled in turn.
   */
  @Matches(ID_PATTERN) id: string;
  /**
   * The `Message-ID` header, without its angle brackets: the idempotency key of an email. Sealed, as
   * some mail clients build it from the sender's address.
   */
  @MailContent() @IsString() @Length(1, 998) messageId: string;
  @IsIn(MAIL_SOURCES) source: MailSource;
  /** The sender's address (`From`). */
  @MailContent() @IsString() @Length(0, 320) from: string;
  /** The recipients it was delivered to (the SMTP envelope's, or the provider's). */
  @MailContent()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Length(1, 320, { each: true })
  to: string[];
  @MailContent() @IsString() @Length(0, 998) subject: string;
  /** The plain text of the email, quoted history and signature included (HTML turned into text). */
  @MailContent() @IsString() @Length(0, RECEIVED_MAIL_TEXT_MAX) text: string;
  /** When the receiver took it (RFC 3339). */
  @IsISO8601() receivedAt: string;
}

/** Text PostgreSQL can store: an email may carry NUL characters, which a text column refuses. */
const storable = (text: string) => text.replaceAll('\u0000', '');

/** What a receiver (the SMTP listener, a provider's webhook) read of an email. */
export interface ReadMail {
  /** The `Message-ID` header, if the email has one. */
  messageId?: string;
  source: MailSource;
  from: string;
  to: string[];
  subject: string;
  text: string;
  /** The `Date` header, if any: it tells apart emails without a Message-ID. */
  date?: string;
}

/**
 * The ReceiveMail of an email, its fields cut to the command's bounds. One without a `Message-ID`
 * (rare; RFC 5322 only recommends it) is keyed by a hash of what identifies it, so that delivering
 * it again still creates nothing.
 */
export function receiveMailOf(mail: ReadMail, receivedAt: Date): CommandBody<ReceiveMail> {
  const messageId = mail.messageId?.trim()
    ? bareMessageId(mail.messageId).slice(0, 998)
    : `${createHash('sha256')
        .update(JSON.stringify([mail.from, mail.to, mail.subject, mail.date ?? '', mail.text]))
        .digest('hex')
        .slice(0, 40)}@no-message-id.parley`;
  return {
    id: receivedMailId(messageId),
    messageId,
    source: mail.source,
    from: mail.from.slice(0, 320),
    to: mail.to.slice(0, 100).map((address) => address.slice(0, 320)),
    subject: storable(mail.subject).slice(0, 998),
    // The reply comes first: what is cut off is the far end of the history it quotes.
    text: storable(mail.text).slice(0, RECEIVED_MAIL_TEXT_MAX),
    receivedAt: receivedAt.toISOString(),
  };
}

/** The customer asked for no more email (a List-Unsubscribe one-click or the unsubscribe page). */
export class UnsubscribeCustomer extends Command {
  static readonly subject = CommandSubjects.unsubscribeCustomer;
  @IsString() @Matches(ID_PATTERN) customerId: string;
}

/** Whether an agent gets an email digest while offline. */
export class SetAgentDigest extends Command {
  static readonly subject = CommandSubjects.setAgentDigest;
  @IsString() @Matches(ID_PATTERN) agentId: string;
  @IsBoolean() emailDigest: boolean;
}
