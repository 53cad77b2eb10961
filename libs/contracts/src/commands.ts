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
  @IsString() @Length(1, 200) externalId: string;
  @IsOptional() @IsString() @Length(1, 200) name?: string;
  @IsOptional() @IsEmail() email?: string;
  /** The customer's IANA time zone, when their site's identity token says (`tz`); absent keeps it. */
  @IsOptional() @IsTimeZone() timeZone?: string;
}

export class OpenConversation extends Command {
  static readonly subject = CommandSubjects.openConversation;
  @IsString() @Length(1, 64) conversationId: string;
  @IsString() @Length(1, 64) messageId: string;
  @IsOptional() @IsString() @Length(0, 300) subject?: string;
  @IsString() @Length(1, MESSAGE_BODY_MAX) body: string;
  @IsIn(PRIORITIES) priority: Priority;
  /** The site whose widget the customer signed in through (their token's); absent for API customers. */
  @IsOptional() @Matches(ID_PATTERN) siteId?: string;
}

export class PostMessage extends Command {
  static readonly subject = CommandSubjects.postMessage;
  @IsString() @Length(1, 64) conversationId: string;
  @IsString() @Length(1, 64) messageId: string;
  @IsString() @Length(1, MESSAGE_BODY_MAX) body: string;
}

export const PRESENCES = ['online', 'away', 'offline'] as const;
export type Presence = (typeof PRESENCES)[number];

export const STATUSES = ['open', 'pending', 'snoozed', 'resolved'] as const;
export type ConversationStatus = (typeof STATUSES)[number];

export class AddNote extends Command {
  static readonly subject = CommandSubjects.addNote;
  @IsString() @Length(1, 64) conversationId: string;
  @IsString() @Length(1, 64) noteId: string;
  @IsString() @Length(1, MESSAGE_BODY_MAX) body: string;
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
  @IsOptional() @IsString() @Length(1, 1000) reason?: string;
  @IsOptional() @IsString() @Length(1, MESSAGE_BODY_MAX) note?: string;
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
  @IsOptional() @IsString() @Length(1, RATING_COMMENT_MAX) comment?: string;
  @IsIn(RATING_CHANNELS) via: RatingChannel;
}
