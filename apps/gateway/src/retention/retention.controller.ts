import { Body, Controller, Get, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  QuerySubjects,
  RequestRetentionRun,
  RetentionPolicyQuery,
  RetentionPolicyView,
  RetentionPreview,
  RetentionPreviewQuery,
  SetRetentionPolicy,
} from '@parley/contracts';
import { JetStreamPublisher } from '@parley/jetstream';
import { AcceptedAnswer, CommandEndpoint } from '../api/command-endpoint';
import { IdParam } from '../api/id-param.pipe';
import { ApiSiteIdParam } from '../api/params.doc';
import { ApiPreferWait } from '../api/prefer-wait.doc';
import { ApiProblems } from '../api/problem.doc';
import { CurrentWrite, Write } from '../api/write';
import { Allow } from '../auth/auth';
import {
  RetentionAccepted,
  RetentionPolicy,
  RetentionPolicyRequest,
  RetentionPreviewAnswer,
  RetentionPreviewQueryParams,
} from './retention.dto';

/** How many of each kind a preview lists when `limit` is not given. */
const PREVIEW_LIMIT_DEFAULT = 200;

/** A site's retention policy, its dry run, and a run now (admins). */
@ApiTags('sites')
@ApiProblems(400, 401, 403, 404, 413, 503)
@Controller('v1/sites/:id/retention')
export class RetentionController {
  constructor(
    private readonly commands: CommandEndpoint,
    private readonly publisher: JetStreamPublisher,
  ) {}

  @Put()
  @ApiSiteIdParam()
  @ApiBearerAuth()
  @Allow('admin')
  @ApiOperation({
    operationId: 'setRetentionPolicy',
    summary: "Set how long a site's resolved conversations and attachments are kept",
    description:
      'Replaces the policy; a field left out is null (keep forever). The conversation service applies it every PARLEY_RETENTION_INTERVAL_MINUTES (default 60); `GET …/retention/preview` lists what the next run removes, `POST …/retention/run` runs it now.',
  })
  @AcceptedAnswer(RetentionAccepted)
  @ApiPreferWait(RetentionPolicy, 'With `Prefer: wait=N`: applied, as `GET …/retention` now shows it', 200)
  async set(
    @Param('id', IdParam) siteId: string,
    @Body() body: RetentionPolicyRequest,
    @CurrentWrite() write: Write,
  ): Promise<RetentionAccepted | RetentionPolicyView> {
    await this.policy(siteId);
    const command = {
      siteId,
      resolvedConversationDays: body.resolvedConversationDays ?? null,
      attachmentDays: body.attachmentDays ?? null,
    };
    return this.commands.change(
      write,
      { type: SetRetentionPolicy, body: command, msgId: write.allocate() },
      { accepted: { siteId }, applied: () => this.policy(siteId) },
    );
  }

  @Get()
  @ApiSiteIdParam()
  @ApiBearerAuth()
  @Allow('admin')
  @ApiOperation({ operationId: 'getRetentionPolicy', summary: "A site's retention policy and its last run" })
  @ApiOkResponse({ type: RetentionPolicy })
  policy(@Param('id', IdParam) siteId: string): Promise<RetentionPolicyView> {
    const query: RetentionPolicyQuery = { siteId };
    return this.publisher.query(QuerySubjects.retentionPolicy, query);
  }

  @Get('preview')
  @ApiSiteIdParam()
  @ApiBearerAuth()
  @Allow('admin')
  @ApiOperation({
    operationId: 'previewRetention',
    summary: "Dry run: what the site's retention would remove now",
    description:
      'Computed by the very selection the run uses, as of now: a run started now removes exactly these (and a conversation reopened before its removal is applied stays).',
  })
  @ApiOkResponse({ type: RetentionPreviewAnswer })
  preview(
    @Param('id', IdParam) siteId: string,
    @Query() params: RetentionPreviewQueryParams,
  ): Promise<RetentionPreview> {
    const query: RetentionPreviewQuery = { siteId, limit: params.limit ?? PREVIEW_LIMIT_DEFAULT };
    return this.publisher.query(QuerySubjects.retentionPreview, query);
  }

  @Post('run')
  @ApiSiteIdParam()
  @ApiBearerAuth()
  @Allow('admin')
  @ApiOperation({
    operationId: 'runRetention',
    summary: "Run the site's retention now",
    description:
      'The conversation service runs it within seconds, whichever of its processes is free; `lastRunAt` of `GET …/retention` then moves on. A site that does not exist is 404.',
  })
  @AcceptedAnswer(RetentionAccepted)
  async run(@Param('id', IdParam) siteId: string, @CurrentWrite() write: Write): Promise<RetentionAccepted> {
    await this.policy(siteId);
    await this.commands.send(write, { type: RequestRetentionRun, body: { siteId }, msgId: write.allocate() });
    return { siteId };
  }
}
