import { Body, ConflictException, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ChangeSavedReply,
  DeleteSavedReply,
  Page,
  Principal,
  QuerySubjects,
  SavedRepliesQuery as SavedRepliesRequest,
  SavedReplyView,
  SaveReply,
} from '@parley/contracts';
import { JetStreamPublisher } from '@parley/jetstream';
import { AcceptedAnswer, CommandEndpoint } from '../api/command-endpoint';
import { IdParam } from '../api/id-param.pipe';
import { pageOf } from '../api/paging';
import { SAVED_REPLY_CURSOR } from '../api/examples';
import { ApiListCursor, ApiSavedReplyIdParam } from '../api/params.doc';
import { ApiPreferWait } from '../api/prefer-wait.doc';
import { ApiProblems } from '../api/problem.doc';
import { CurrentWrite, Idempotent, Write } from '../api/write';
import { Allow, CurrentPrincipal } from '../auth/auth';
import { answerId, Audited, pathId } from '../audit/audited';
import { TeamManagers } from '../labels/team-managers';
import {
  ChangeSavedReplyRequest,
  CreateSavedReplyRequest,
  SavedRepliesQuery,
  SavedReplyAccepted,
  SavedReplyItem,
  SavedReplyPage,
} from './saved-replies.dto';

const MANAGE = "write the team's saved replies";

@ApiTags('saved replies')
@ApiBearerAuth()
@ApiProblems(400, 401, 403, 404, 409, 413, 503)
@Controller('v1/saved-replies')
export class SavedRepliesController {
  constructor(
    private readonly commands: CommandEndpoint,
    private readonly publisher: JetStreamPublisher,
    private readonly managers: TeamManagers,
  ) {}

  @Get()
  @Allow('admin', 'agent')
  @ApiOperation({
    operationId: 'listSavedReplies',
    summary: "List the team's saved replies and the caller's own",
  })
  @ApiOkResponse({ type: SavedReplyPage, description: 'By shortcut, whatever its case' })
  @ApiListCursor(SAVED_REPLY_CURSOR)
  list(
    @Query() query: SavedRepliesQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Page<SavedReplyView>> {
    const request: SavedRepliesRequest = { principal, shortcut: query.shortcut, ...pageOf(query) };
    return this.publisher.query(QuerySubjects.savedReplies, request);
  }

  @Post()
  @Allow('admin', 'agent')
  @ApiOperation({
    operationId: 'createSavedReply',
    summary: 'Save a reply, personal or for the team',
    description:
      "A shortcut its scope has already, whatever its case, is refused with 409. Only admins and supervisors write the team's.",
  })
  @AcceptedAnswer(SavedReplyAccepted, 'Stored in JetStream; the conversation service saves it')
  @ApiPreferWait(SavedReplyItem, 'With `Prefer: wait=N`: saved')
  @Audited('saved-reply.save', answerId('saved-reply'), {
    details: ({ body }) => ({ scope: (body as CreateSavedReplyRequest).scope ?? 'personal' }),
  })
  @Idempotent()
  async create(
    @Body() body: CreateSavedReplyRequest,
    @CurrentWrite() write: Write,
  ): Promise<SavedReplyAccepted | SavedReplyItem> {
    const scope = body.scope ?? 'personal';
    if (scope === 'team') await this.managers.check(write.principal, MANAGE);
    await this.shortcutFree(
      body.shortcut,
      scope === 'team' ? null : write.principal.id,
      undefined,
      write.principal,
    );
    const replyId = write.allocate();
    return this.commands.change(
      write,
      { type: SaveReply, body: { ...body, scope, replyId }, msgId: replyId },
      { accepted: { id: replyId }, applied: () => this.one(replyId, write.principal), status: 201 },
    );
  }

  @Patch(':id')
  @ApiSavedReplyIdParam()
  @Allow('admin', 'agent')
  @ApiOperation({ operationId: 'changeSavedReply', summary: "Change a saved reply's shortcut or text" })
  @AcceptedAnswer(SavedReplyAccepted)
  @ApiPreferWait(SavedReplyItem, 'With `Prefer: wait=N`: changed', 200)
  @Audited('saved-reply.change', pathId('saved-reply'))
  async change(
    @Param('id', IdParam) replyId: string,
    @Body() body: ChangeSavedReplyRequest,
    @CurrentWrite() write: Write,
  ): Promise<SavedReplyAccepted | SavedReplyItem> {
    const reply = await this.mayWrite(replyId, write.principal);
    if (body.shortcut !== undefined)
      await this.shortcutFree(body.shortcut, reply.ownerId, replyId, write.principal);
    return this.commands.change(
      write,
      { type: ChangeSavedReply, body: { ...body, replyId }, msgId: write.allocate() },
      { accepted: { id: replyId }, applied: () => this.one(replyId, write.principal) },
    );
  }

  @Delete(':id')
  @ApiSavedReplyIdParam()
  @Allow('admin', 'agent')
  @ApiOperation({ operationId: 'deleteSavedReply', summary: 'Delete a saved reply' })
  @AcceptedAnswer(SavedReplyAccepted)
  @ApiPreferWait(SavedReplyAccepted, 'With `Prefer: wait=N`: deleted (or it was already)', 200)
  @Audited('saved-reply.delete', pathId('saved-reply'))
  async remove(
    @Param('id', IdParam) replyId: string,
    @CurrentWrite() write: Write,
  ): Promise<SavedReplyAccepted> {
    await this.mayWrite(replyId, write.principal);
    return this.commands.confirm(
      write,
      { type: DeleteSavedReply, body: { replyId }, msgId: `delete:${replyId}` },
      { id: replyId },
    );
  }

  /** Someone else's personal reply is not found (404); the team's need a manager. */
  private async mayWrite(replyId: string, principal: Principal): Promise<SavedReplyItem> {
    const reply = await this.one(replyId, principal);
    if (reply.scope === 'team') await this.managers.check(principal, MANAGE);
    return reply;
  }

  /**
   * 409 when another reply of the scope (the team's: `ownerId` null) has the shortcut, whatever its
   * case; the conversation service checks again as it applies the command.
   */
  private async shortcutFree(
    shortcut: string,
    ownerId: string | null,
    replyId: string | undefined,
    principal: Principal,
  ): Promise<void> {
    const request: SavedRepliesRequest = { principal, shortcut, limit: 200 };
    const { items } = await this.publisher.query<Page<SavedReplyView>>(QuerySubjects.savedReplies, request);
    const taken = items.some(
      (r) => r.id !== replyId && r.ownerId === ownerId && r.shortcut.toLowerCase() === shortcut.toLowerCase(),
    );
    if (taken) throw new ConflictException(`The shortcut "${shortcut}" is taken in this scope.`);
  }

  private async one(replyId: string, principal: Principal): Promise<SavedReplyItem> {
    const request: SavedRepliesRequest = { principal, id: replyId, limit: 1 };
    const page = await this.publisher.query<Page<SavedReplyView>>(QuerySubjects.savedReplies, request);
    return page.items[0];
  }
}
