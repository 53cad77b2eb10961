import {
  Body,
  ConflictException,
  Controller,
  Delete,
  Get,
  Param,
  Patch,
  Post,
  Put,
  Query,
  UnprocessableEntityException,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ChangeLabel,
  ConversationView,
  DefineLabel,
  DeleteLabel,
  LabelsQuery,
  LabelView,
  Page,
  Principal,
  QuerySubjects,
  SetConversationLabels,
} from '@parley/contracts';
import { JetStreamPublisher } from '@parley/jetstream';
import { AcceptedAnswer, CommandEndpoint } from '../api/command-endpoint';
import { IdParam } from '../api/id-param.pipe';
import { PageQuery, pageOf } from '../api/paging';
import { LABEL_CURSOR } from '../api/examples';
import { ApiConversationIdParam, ApiLabelIdParam, ApiListCursor } from '../api/params.doc';
import { ApiPreferWait } from '../api/prefer-wait.doc';
import { ApiProblems } from '../api/problem.doc';
import { CurrentWrite, Idempotent, Write } from '../api/write';
import { Allow, CurrentPrincipal } from '../auth/auth';
import { answerId, Audited, pathId } from '../audit/audited';
import { ConversationPrecheck } from '../conversations/conversation-precheck';
import { ChangedConversation, ConversationChangeAccepted } from '../conversations/conversations.dto';
import {
  ChangeLabelRequest,
  ConversationLabelsRequest,
  CreateLabelRequest,
  LabelAccepted,
  LabelItem,
  LabelPage,
} from './labels.dto';
import { TeamManagers } from './team-managers';

const MANAGE = 'define, change and delete labels';

@ApiTags('labels')
@ApiBearerAuth()
@ApiProblems(400, 401, 403, 404, 409, 413, 422, 503)
@Controller('v1')
export class LabelsController {
  constructor(
    private readonly commands: CommandEndpoint,
    private readonly publisher: JetStreamPublisher,
    private readonly managers: TeamManagers,
    private readonly precheck: ConversationPrecheck,
  ) {}

  @Get('labels')
  @Allow('admin', 'agent')
  @ApiOperation({ operationId: 'listLabels', summary: 'List labels' })
  @ApiOkResponse({ type: LabelPage, description: 'By name, whatever its case' })
  @ApiListCursor(LABEL_CURSOR)
  list(@Query() query: PageQuery, @CurrentPrincipal() principal: Principal): Promise<Page<LabelView>> {
    const request: LabelsQuery = { principal, ...pageOf(query) };
    return this.publisher.query(QuerySubjects.labels, request);
  }

  @Post('labels')
  @Allow('admin', 'agent')
  @ApiOperation({
    operationId: 'createLabel',
    summary: 'Define a label (admins and supervisors)',
    description: 'A name another label has, whatever its case, is refused with 409.',
  })
  @AcceptedAnswer(LabelAccepted, 'Stored in JetStream; the conversation service defines it')
  @ApiPreferWait(LabelItem, 'With `Prefer: wait=N`: defined')
  @Audited('label.define', answerId('label'))
  @Idempotent()
  async create(
    @Body() body: CreateLabelRequest,
    @CurrentWrite() write: Write,
  ): Promise<LabelAccepted | LabelItem> {
    await this.managers.check(write.principal, MANAGE);
    await this.nameFree(body.name, undefined, write.principal);
    const labelId = write.allocate();
    return this.commands.change(
      write,
      { type: DefineLabel, body: { ...body, labelId }, msgId: labelId },
      { accepted: { id: labelId }, applied: () => this.one(labelId, write.principal), status: 201 },
    );
  }

  @Patch('labels/:id')
  @ApiLabelIdParam()
  @Allow('admin', 'agent')
  @ApiOperation({
    operationId: 'changeLabel',
    summary: "Change a label's name, colour or description (admins and supervisors)",
  })
  @AcceptedAnswer(LabelAccepted)
  @ApiPreferWait(LabelItem, 'With `Prefer: wait=N`: changed', 200)
  @Audited('label.change', pathId('label'))
  async change(
    @Param('id', IdParam) labelId: string,
    @Body() body: ChangeLabelRequest,
    @CurrentWrite() write: Write,
  ): Promise<LabelAccepted | LabelItem> {
    await this.managers.check(write.principal, MANAGE);
    await this.one(labelId, write.principal);
    if (body.name !== undefined) await this.nameFree(body.name, labelId, write.principal);
    return this.commands.change(
      write,
      { type: ChangeLabel, body: { ...body, labelId }, msgId: write.allocate() },
      { accepted: { id: labelId }, applied: () => this.one(labelId, write.principal) },
    );
  }

  @Delete('labels/:id')
  @ApiLabelIdParam()
  @Allow('admin', 'agent')
  @ApiOperation({
    operationId: 'deleteLabel',
    summary: 'Delete a label and take it off every conversation (admins and supervisors)',
  })
  @AcceptedAnswer(LabelAccepted)
  @ApiPreferWait(LabelAccepted, 'With `Prefer: wait=N`: deleted (or it was already)', 200)
  @Audited('label.delete', pathId('label'))
  async remove(@Param('id', IdParam) labelId: string, @CurrentWrite() write: Write): Promise<LabelAccepted> {
    await this.managers.check(write.principal, MANAGE);
    return this.commands.confirm(
      write,
      { type: DeleteLabel, body: { labelId }, msgId: `delete:${labelId}` },
      { id: labelId },
    );
  }

  /**
   * The whole set, as Chatwoot's `POST …/labels` also replaces it: a console that shows the labels
   * sends what it shows, and two agents' edits end in the last one's set rather than a mix.
   */
  @Put('conversations/:id/labels')
  @ApiConversationIdParam()
  @Allow('agent')
  @ApiOperation({
    operationId: 'setConversationLabels',
    summary: 'Set the labels of a conversation (the whole set)',
    description:
      'Replaces the labels the conversation carries; unknown label ids are refused with 422. Agents of the conversation (its assignee, or every agent while unassigned) get `conversation.labels_changed`.',
  })
  @AcceptedAnswer(ConversationChangeAccepted)
  @ApiPreferWait(
    ChangedConversation,
    'With `Prefer: wait=N`: applied, as `GET /v1/conversations/{id}` now shows it',
    200,
  )
  async setLabels(
    @Param('id', IdParam) conversationId: string,
    @Body() body: ConversationLabelsRequest,
    @CurrentWrite() write: Write,
  ): Promise<ConversationChangeAccepted | ChangedConversation> {
    const { principal } = write;
    await this.precheck.check({ principal, conversationId });
    const labelIds = [...new Set(body.labels)];
    const unknown = await this.unknownLabels(labelIds, principal);
    if (unknown.length) throw new UnprocessableEntityException(`Unknown labels: ${unknown.join(', ')}.`);
    return this.commands.change(
      write,
      { type: SetConversationLabels, body: { conversationId, labelIds }, msgId: write.allocate() },
      {
        accepted: { conversationId },
        applied: async () => ({
          ...(await this.publisher.query<ConversationView>(QuerySubjects.conversation, {
            principal,
            conversationId,
          })),
          conversationId,
        }),
      },
    );
  }

  private async one(labelId: string, principal: Principal): Promise<LabelItem> {
    const request: LabelsQuery = { principal, id: labelId, limit: 1 };
    const page = await this.publisher.query<Page<LabelView>>(QuerySubjects.labels, request);
    return page.items[0];
  }

  /**
   * 409 when another label has the name, whatever its case; the conversation service checks again
   * as it applies the command, for two requests at once.
   */
  private async nameFree(name: string, labelId: string | undefined, principal: Principal): Promise<void> {
    const request: LabelsQuery = { principal, name, limit: 1 };
    const { items } = await this.publisher.query<Page<LabelView>>(QuerySubjects.labels, request);
    if (items.some((label) => label.id !== labelId))
      throw new ConflictException(`A label named "${items[0].name}" exists already.`);
  }

  private async unknownLabels(labelIds: string[], principal: Principal): Promise<string[]> {
    const found = await Promise.all(
      labelIds.map((id) =>
        this.one(id, principal).then(
          () => undefined,
          () => id,
        ),
      ),
    );
    return found.filter((id): id is string => id !== undefined);
  }
}
