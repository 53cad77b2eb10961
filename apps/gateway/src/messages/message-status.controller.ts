import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MessageStatusView, Principal, QuerySubjects } from '@parley/contracts';
import { JetStreamPublisher } from '@parley/jetstream';
import { IdParam } from '../api/id-param.pipe';
import { ApiMessageIdParam } from '../api/params.doc';
import { ApiProblems } from '../api/problem.doc';
import { AttachmentLinks } from '../attachments/attachment-links';
import { Allow, CurrentPrincipal } from '../auth/auth';
import { answerId, Audited, READ_BY_STAFF } from '../audit/audited';
import { MessageStatusDoc } from './messages.dto';

/** One message's life, as history records it: accepted, stored or rejected, and its receipts. */
@ApiTags('history')
@ApiBearerAuth()
@ApiProblems(400, 401, 403, 404, 503)
@Controller('v1/messages')
export class MessageStatusController {
  constructor(
    private readonly publisher: JetStreamPublisher,
    private readonly links: AttachmentLinks,
  ) {}

  @Get(':id')
  @ApiMessageIdParam()
  @Allow('customer', 'agent')
  @ApiOperation({ operationId: 'getMessage', summary: 'Get the status and receipts of a message' })
  @ApiOkResponse({
    type: MessageStatusDoc,
    description:
      '`accepted` until processed, then `stored` (with seq and receipts) or `rejected` (with the reason). Its author and agents may read it.',
  })
  // A message's body is the conversation's: reading it is reading the conversation.
  @Audited('conversation.read', answerId('conversation', 'conversationId'), READ_BY_STAFF)
  async message(
    @Param('id', IdParam) messageId: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<MessageStatusView> {
    const message = await this.publisher.query<MessageStatusView>(QuerySubjects.message, {
      principal,
      messageId,
    });
    return this.links.withUrls([message])[0];
  }
}
