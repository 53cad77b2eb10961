import { Type } from 'class-transformer';
import {
  IsIn,
  IsISO8601,
  Matches,
  ValidateBy,
  ValidateIf,
  ValidateNested,
  ValidationOptions,
} from 'class-validator';
import { ID_PATTERN } from './commands';
import { Principal } from './principal';
import { Page } from './queries';
import { CommandSubjects } from './subjects';

/**
 * The audit trail (docs/adr/0017-audit-trail.md): who did what, including who read which
 * conversation, as one hash-chained list of entries kept by history. An entry holds ids and small
 * facts, never content: it outlives any erasure, so nothing in it may need erasing.
 */

/** Who acts: a person by their role, or Parley itself (`system`: scheduled work). */
export const AUDIT_ACTOR_KINDS = ['agent', 'admin', 'customer', 'system'] as const;
export type AuditActorKind = (typeof AUDIT_ACTOR_KINDS)[number];

/** `conversation.read`, `session.sign-in-refused`: lower-case words joined by `.` and `-`. */
export const AUDIT_ACTION_PATTERN = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*){0,3}$/;
/** What an entry is about: `conversation`, `agent`, `site`, `saved-reply`. */
export const AUDIT_SUBJECT_KIND_PATTERN = /^[a-z][a-z-]{0,39}$/;

/** The most facts an entry's `details` holds, and the longest text one of them may be. */
export const AUDIT_DETAILS_MAX = 20;
export const AUDIT_FACT_TEXT_MAX = 200;
/** The longest list a fact may be: the ids of a page of the longest lists (a search's hits). */
export const AUDIT_FACT_LIST_MAX = 200;

/** A fact of an entry: an id, a role, a count, a switch; a short list of ids at most. */
export type AuditFact = string | number | boolean | null | string[];

export class AuditActor {
  @IsIn(AUDIT_ACTOR_KINDS) kind: AuditActorKind;
  /** Null only when nobody could be named: a sign-in with an email no agent has. */
  @ValidateIf((o: AuditActor) => o.id !== null)
  @Matches(ID_PATTERN)
  id: string | null;
}

export class AuditSubject {
  @Matches(AUDIT_SUBJECT_KIND_PATTERN) kind: string;
  @Matches(ID_PATTERN) id: string;
}

/** Why `details` are not usable, or undefined: flat, few, short, and no content. */
export function auditDetailsProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'details must be an object';
  const entries = Object.entries(value);
  if (entries.length > AUDIT_DETAILS_MAX) return `details has more than ${AUDIT_DETAILS_MAX} facts`;
  const short = (v: unknown) => typeof v === 'string' && v.length <= AUDIT_FACT_TEXT_MAX;
  for (const [name, fact] of entries) {
    if (!/^[a-zA-Z][a-zA-Z0-9]{0,39}$/.test(name)) return `details.${name} is not a fact's name`;
    const fits =
      fact === null ||
      typeof fact === 'boolean' ||
      (typeof fact === 'number' && Number.isFinite(fact)) ||
      short(fact) ||
      (Array.isArray(fact) && fact.length <= AUDIT_FACT_LIST_MAX && fact.every(short));
    if (!fits)
      return `details.${name} must be a short text, a number, a boolean, null or a short list of texts`;
  }
  return undefined;
}

function IsAuditDetails(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isAuditDetails',
      validator: {
        validate: (value) => auditDetailsProblem(value) === undefined,
        defaultMessage: (args) => auditDetailsProblem(args?.value) ?? 'details are invalid',
      },
    },
    options,
  );
}

/**
 * Appends an entry to the audit trail (`parley.cmd.history.audit.record`), published by the gateway
 * before it answers the request it records. Not a `Command`: the actor is who the entry names, and a
 * refused sign-in has no issuer. `id` is the entry's id and its Nats-Msg-Id, so a redelivery appends
 * nothing new.
 */
export class RecordAudit {
  static readonly subject = CommandSubjects.recordAudit;
  @Matches(ID_PATTERN) id: string;
  /** When it happened, by the gateway's clock (RFC 3339). */
  @IsISO8601({ strict: true }) at: string;
  @ValidateNested() @Type(() => AuditActor) actor: AuditActor;
  @Matches(AUDIT_ACTION_PATTERN) action: string;
  @ValidateIf((o: RecordAudit) => o.subject !== null)
  @ValidateNested()
  @Type(() => AuditSubject)
  subject: AuditSubject | null;
  @IsAuditDetails() details: Record<string, AuditFact>;
}

/** An entry as stored and answered: its place in the chain and the hashes that bind it there. */
export interface AuditEntryView {
  id: string;
  seq: number;
  at: string;
  actor: { kind: AuditActorKind; id: string | null };
  action: string;
  subject: { kind: string; id: string } | null;
  details: Record<string, AuditFact>;
  /** The hash of the entry before (64 zeros for the first). */
  prevHash: string;
  /** sha256 hex of `prevHash` followed by the canonical JSON of the entry's other fields but `hash`. */
  hash: string;
}

/** `parley.query.history.audit`: entries matching every filter given, keyset-paged by seq. */
export interface AuditQuery {
  /** Only an admin reads the trail; history refuses anyone else too. */
  principal: Principal;
  actor?: { kind: AuditActorKind; id?: string };
  subject?: { kind: string; id?: string };
  action?: string;
  /** `at` from (inclusive) and to (exclusive), RFC 3339. */
  from?: string;
  to?: string;
  /** `desc` (newest first, the list) or `asc` (the chain's order, the export). */
  order: 'asc' | 'desc';
  /** Entries after (asc) or before (desc) this seq. */
  cursor?: number;
  limit: number;
}

export type AuditPage = Page<AuditEntryView>;

/** The newest entry: keep it somewhere else to be able to tell later that nothing was cut off. */
export interface AuditHead {
  seq: number;
  hash: string;
}

/** `parley.query.history.audit-verify`: the chain walked from the first entry. */
export interface AuditVerification {
  valid: boolean;
  /** Entries checked (all of them when valid, up to the first invalid one otherwise). */
  checked: number;
  /** `id` is null when no stored entry is to blame: entries cut off the end, or an anchor lost. */
  firstInvalid?: { seq: number; id: string | null; reason: string };
  /** The newest entry, as the chain's head records it (null while the trail is empty). */
  head: AuditHead | null;
}

/** `anchor`: a head kept elsewhere earlier, which the chain must still contain unchanged. */
export interface AuditVerifyQuery {
  principal: Principal;
  anchor?: AuditHead;
}
