import { BadRequestException, Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import {
  AuditActorKind,
  AuditPage,
  AuditQuery,
  AuditVerification,
  AuditVerifyQuery,
  PAGE_LIMIT_DEFAULT,
  Principal,
  QuerySubjects,
} from '@parley/contracts';
import { JetStreamPublisher } from '@parley/jetstream';
import { ApiProblems } from '../api/problem.doc';
import { Allow, CurrentPrincipal } from '../auth/auth';
import {
  AuditEntryPage,
  AuditFilters,
  AuditListQuery,
  AuditVerificationItem,
  AuditVerifyRequest,
} from './audit.dto';

/** Entries an export asks history for at once. */
const EXPORT_PAGE = 500;
/** A walk of a long chain takes a while: up to this long before the answer is a 503. */
const VERIFY_TIMEOUT_MS = 60_000;

function kindAndId<K extends string>(value: string | undefined): { kind: K; id?: string } | undefined {
  if (value === undefined) return undefined;
  const [kind, id] = value.split(':');
  return id === undefined ? { kind: kind as K } : { kind: kind as K, id };
}

/** The history query of a request's filters; a period that ends before it starts is refused. */
function filtersOf(principal: Principal, filters: AuditFilters): Omit<AuditQuery, 'order' | 'limit'> {
  if (filters.from && filters.to && Date.parse(filters.from) >= Date.parse(filters.to))
    throw new BadRequestException('`from` must be before `to`.');
  return {
    principal,
    actor: kindAndId<AuditActorKind>(filters.actor),
    subject: kindAndId(filters.subject),
    action: filters.action,
    from: filters.from && new Date(filters.from).toISOString(),
    to: filters.to && new Date(filters.to).toISOString(),
  };
}

/** The audit trail, for admins: entries by filter, an export for a SIEM, and the chain's check. */
@ApiTags('audit')
@ApiBearerAuth()
@ApiProblems(400, 401, 403, 503)
@Controller('v1/audit')
export class AuditController {
  constructor(private readonly publisher: JetStreamPublisher) {}

  @Get()
  @Allow('admin')
  @ApiOperation({
    operationId: 'listAuditEntries',
    summary: 'List audit entries',
    description:
      'Who did what, newest first: sign-ins, sessions ended, agents invited, deactivated or reset, site settings, labels, saved replies, webhooks, and every read of a conversation by an agent or admin (repeats by the same agent within a minute recorded once).',
  })
  @ApiOkResponse({ type: AuditEntryPage })
  list(@Query() query: AuditListQuery, @CurrentPrincipal() principal: Principal): Promise<AuditPage> {
    return this.publisher.query<AuditPage>(QuerySubjects.audit, {
      ...filtersOf(principal, query),
      order: 'desc',
      cursor: query.cursor === undefined ? undefined : Number(query.cursor),
      limit: query.limit ?? PAGE_LIMIT_DEFAULT,
    } satisfies AuditQuery);
  }

  @Get('export')
  @Allow('admin')
  @ApiOperation({
    operationId: 'exportAuditEntries',
    summary: 'Export audit entries as JSON Lines',
    description:
      'Every entry matching the filters, in the chain’s order (oldest first), one JSON object a line, streamed: for a SIEM. Each line carries its `hash`: the last one kept elsewhere is an anchor for `GET /v1/audit/verify`.',
  })
  @ApiProduces('application/x-ndjson')
  @ApiOkResponse({
    description: 'JSON Lines (one AuditEntryItem a line)',
    content: { 'application/x-ndjson': { schema: { type: 'string' } } },
  })
  async export(
    @Query() query: AuditFilters,
    @CurrentPrincipal() principal: Principal,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const filters = filtersOf(principal, query);
    const page = (cursor?: number) =>
      this.publisher.query<AuditPage>(QuerySubjects.audit, {
        ...filters,
        order: 'asc',
        cursor,
        limit: EXPORT_PAGE,
      } satisfies AuditQuery);
    // The first page before the answer starts: history away is a 503, not an empty export.
    const first = await page();
    async function* lines(): AsyncGenerator<string> {
      for (let current = first; ; current = await page(Number(current.nextCursor))) {
        if (current.items.length) yield current.items.map((e) => `${JSON.stringify(e)}\n`).join('');
        if (current.nextCursor === null) return;
      }
    }
    await reply
      .header('content-type', 'application/x-ndjson; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(Readable.from(lines()));
  }

  @Get('verify')
  @Allow('admin')
  @ApiOperation({
    operationId: 'verifyAuditTrail',
    summary: 'Check the audit trail’s hash chain',
    description:
      'Walks the chain from the first entry: a changed field, a removed entry or a rewritten link makes it invalid, naming the first entry that does not hold. Entries cut off the end show when the chain no longer reaches its recorded head, or an `anchor` (a head kept elsewhere).',
  })
  @ApiOkResponse({ type: AuditVerificationItem })
  verify(
    @Query() query: AuditVerifyRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<AuditVerification> {
    const [seq, hash] = query.anchor?.split(':') ?? [];
    return this.publisher.query<AuditVerification>(
      QuerySubjects.auditVerify,
      { principal, ...(seq && { anchor: { seq: Number(seq), hash } }) } satisfies AuditVerifyQuery,
      VERIFY_TIMEOUT_MS,
    );
  }
}
